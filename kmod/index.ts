// Kernel capture: the event schema, the decoder and the native binding.
export * from './schema';
export * from './decode';
export * from './sockaddr';
export { reassembleChunks } from './reassemble';
export { StdioLineSplitter, type StdioLine } from './stdio-lines';
export * from './binding';
export { kmodPaths } from './paths';
