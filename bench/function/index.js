// The hello-world function both sides of the benchmark run: Stratus invokes it through the
// Lambda Runtime API, and baseline/server.js calls the very same handler from a bare node http server.
exports.handler = async () => ({ statusCode: 200, body: 'hello' });
