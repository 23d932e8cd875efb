export { FrameDecoder } from './frame-decoder.js';
export { FramePool, POOL_MAX_BYTES, POOL_MIN_BYTES } from './frame-pool.js';
export { Connection, type ConnectionContext, type ConnectionOptions, type FrameHandler, type ResponseChunks } from './connection.js';
export { Server, type ServerOptions } from './server.js';
export { connect, describeAddress, type SocketAddress } from './connect.js';
