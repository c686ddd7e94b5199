// Loaded by a standby runtime to warm up node's CommonJS loader; its handler runs one rehearsed
// invocation (see warmUp in bootstrap.mjs).
exports.ready = true;
exports.rehearse = async (event, context) => ({ event, requestId: context.awsRequestId, left: context.getRemainingTimeInMillis() });
