// Zstandard frames (RFC 8878): magic 28 b5 2f fd, a frame header that may declare the content size,
// then blocks; frames may be concatenated. When every frame declares its content size the total is
// checked against the cap and decompressed in one call into an exact buffer; otherwise the data is
// streamed in chunks and decompression stops as soon as the output passes the cap (decompression bombs).
import { CorruptRecordError } from '../common/index.js';
import { loadZstd, loadZstdBinding } from './native-codecs.js';

export async function zstdCompress(data: Buffer): Promise<Buffer> {
  return loadZstd().compress(data);
}

/** Sum of the declared content sizes of every frame, or null when some frame does not declare it. */
function declaredContentSize(data: Buffer): number | null {
  const binding = loadZstdBinding();
  let total = 0;
  let frame = data;
  while (frame.length > 0) {
    const size = binding.getFrameContentSize(frame);
    if (size === null) return null;
    total += size;
    frame = frame.subarray(binding.findFrameCompressedSize(frame));
  }
  return total;
}

export async function zstdDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  if (data.length === 0) throw new CorruptRecordError('zstd data is empty');
  const binding = loadZstdBinding();
  const declared = declaredContentSize(data);
  const dctx = new binding.DCtx();
  if (declared !== null) {
    if (declared > maxBytes) throw new CorruptRecordError(`zstd data declares ${declared} bytes, over the cap of ${maxBytes}`);
    const out = Buffer.allocUnsafe(declared);
    const written = dctx.decompress(out, data);
    if (written !== declared) throw new CorruptRecordError(`zstd data gave ${written} bytes, its frames declare ${declared}`);
    return out;
  }
  const chunkSize = binding.dStreamOutSize();
  const chunks: Buffer[] = [];
  let total = 0;
  let input = data;
  let pending = 1;
  while (input.length > 0 || pending !== 0) {
    const chunk = Buffer.allocUnsafe(chunkSize);
    const [remaining, produced, consumed] = dctx.decompressStream(chunk, input);
    if (produced === 0 && consumed === 0) throw new CorruptRecordError('zstd data is truncated');
    total += produced;
    if (total > maxBytes) throw new CorruptRecordError(`zstd data decompresses to more than ${maxBytes} bytes`);
    chunks.push(chunk.subarray(0, produced));
    input = input.subarray(consumed);
    pending = remaining;
  }
  return Buffer.concat(chunks, total);
}
