// Builds DOM from data with textContent only: nothing a function or user wrote is ever parsed as HTML.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key.startsWith('on')) {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      element.className = value;
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  element.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false).map((c) => (c instanceof Node ? c : String(c))));
  return element;
}

export function table(caption, columns, rows, emptyText) {
  if (!rows.length) {
    return h('p', { class: 'muted' }, emptyText);
  }
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.title)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c, i) => (i === 0
      ? h('th', { scope: 'row' }, c.cell(row))
      : h('td', { class: c.num ? 'num' : undefined }, c.cell(row))))))));
}

export function announce(text) {
  document.getElementById('status').textContent = text;
}

export const ms = (value) => `${Number(value).toFixed(1)} ms`;
