// Loaded by a standby runtime to warm up node's ES module loader.
export const ready = true;
