// kafkajs wired for the end-to-end tests: a quiet logger, and snappy/lz4/zstd codecs registered the way a
// kafkajs user does it (kafkajs ships gzip only). The codecs use the compression libraries directly, not
// logctl's records/ module, so the bytes on the wire are produced independently of our code.
import { createConnection } from 'node:net';
import kafkajs from 'kafkajs';
import snappy from 'snappy';
import lz4 from 'lz4-napi';
import zstd from 'zstd-napi';

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;
export { CompressionTypes };
export type KafkaJS = InstanceType<typeof Kafka>;

interface Encoder {
  buffer: Buffer;
}
CompressionCodecs[CompressionTypes.Snappy] = () => ({
  compress: async (encoder: Encoder) => snappy.compressSync(encoder.buffer),
  decompress: async (buffer: Buffer) => snappy.uncompressSync(buffer) as Buffer,
});
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: Encoder) => lz4.compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4.decompressFrameSync(buffer),
});
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async (encoder: Encoder) => zstd.compress(encoder.buffer),
  decompress: async (buffer: Buffer) => zstd.decompress(buffer),
});

/** A kafkajs client for a TCP bootstrap address, or over a Unix socket through kafkajs's socketFactory. */
export function kafkajsClient(target: { bootstrap: string } | { socketPath: string }): KafkaJS {
  if ('bootstrap' in target) {
    return new Kafka({ clientId: 'e2e', brokers: [target.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  }
  return new Kafka({
    clientId: 'e2e-unix',
    // kafkajs still wants a host:port; the socket factory ignores it and dials the Unix socket.
    brokers: ['unix-socket:9092'],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
    socketFactory: ({ onConnect }) => createConnection(target.socketPath, onConnect),
  });
}
