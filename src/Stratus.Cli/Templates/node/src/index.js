// The function: Stratus calls handler(event, context) for each invocation.
exports.handler = async (event) => {
  const greeting = process.env.GREETING || 'Hello';
  const name = (event && event.name) || 'world';
  return { message: `${greeting}, ${name}!` };
};
