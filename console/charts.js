// Small SVG bar charts of per-minute series: no library, readable by screen readers through a
// summary label, and by tests through data attributes.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 120;
const PAD = { top: 14, right: 6, bottom: 18, left: 6 };

function svg(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

const plain = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const minuteOf = (point) => point.Minute.slice(11, 16);

/**
 * A bar chart figure for one field of the series points. `total` says how the summary adds up:
 * 'sum' (counts) or 'max' (durations).
 */
export function barChart({ id, title, points, field, unit = '', total = 'sum', format = plain, tick = minuteOf, period = 'minute' }) {
  const values = points.map((p) => Number(p[field]) || 0);
  const peak = Math.max(0, ...values);
  const summary = total === 'sum' ? values.reduce((a, b) => a + b, 0) : peak;
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.id = id;
  figure.dataset.total = plain(summary);
  const caption = document.createElement('figcaption');
  caption.textContent = `${title}: ${format(summary)}${unit}${total === 'max' ? ' peak' : ''}`;

  const label = `${title}, one bar per ${period} over ${points.length} ${period}s: ${total === 'sum' ? 'total' : 'peak'} ${format(summary)}${unit}`;
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(1, values.length);
  chart.append(svg('line', { x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom, class: 'axis' }));
  values.forEach((value, i) => {
    if (value <= 0) {
      return;
    }
    const height = Math.max(1, (value / peak) * plotHeight);
    const bar = svg('rect', {
      x: PAD.left + i * step + step * 0.1, y: HEIGHT - PAD.bottom - height, width: Math.max(1, step * 0.8), height, class: 'bar',
    });
    const tip = svg('title', {});
    tip.textContent = `${points[i].Minute}: ${format(value)}${unit}`;
    bar.append(tip);
    chart.append(bar);
  });
  const top = svg('text', { x: PAD.left, y: 10, class: 'tick' });
  top.textContent = `${format(peak)}${unit}`;
  const start = svg('text', { x: PAD.left, y: HEIGHT - 4, class: 'tick' });
  start.textContent = points.length ? tick(points[0]) : '';
  const end = svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 4, class: 'tick', 'text-anchor': 'end' });
  end.textContent = points.length ? tick(points[points.length - 1]) : '';
  chart.append(top, start, end);
  figure.append(caption, chart);
  return figure;
}
