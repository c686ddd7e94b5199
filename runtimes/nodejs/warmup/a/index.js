// Loaded by a standby runtime to warm up node's CommonJS loader; exports nothing of use.
exports.ready = true;
