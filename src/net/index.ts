export { FrameDecoder } from './frame-decoder.js';
export { Connection, type ConnectionContext, type ConnectionOptions, type FrameHandler, type ResponseChunks } from './connection.js';
export { Server, type ServerOptions } from './server.js';
export { connect, describeAddress, type SocketAddress } from './connect.js';
