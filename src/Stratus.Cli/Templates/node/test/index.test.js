// Run with `npm test`: the handler is a plain function, so it is tested without a server.
const test = require('node:test');
const assert = require('node:assert');
const { handler } = require('../src/index.js');

test('greets the caller by name', async () => {
  assert.deepStrictEqual(await handler({ name: 'Ada' }), { message: 'Hello, Ada!' });
});

test('greets the world when no name is given', async () => {
  assert.deepStrictEqual(await handler({}), { message: 'Hello, world!' });
});
