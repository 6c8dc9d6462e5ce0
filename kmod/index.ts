// Kernel capture: the event schema, the decoder and the native binding (DESIGN.md section 3, step 3).
export * from './schema';
export * from './decode';
export * from './sockaddr';
export { reassembleChunks } from './reassemble';
export { StdioLineSplitter, type StdioLine } from './stdio-lines';
export * from './binding';
export { packageRoot, kmodPaths } from './paths';
