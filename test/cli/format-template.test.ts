import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { parseDelimiter, parseFormat, renderFormat } from '../../src/cli/format-template.js';
import type { CliRecord } from '../../src/cli/record-format.js';

const r: CliRecord = {
  topic: 'demo', partition: 3, offset: 17, timestamp: 1714564800123,
  key: Buffer.from('k'), value: Buffer.from([0x68, 0x69, 0xff]),
  headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'flag', value: null }],
};

describe('--format templates', () => {
  it('renders every token, raw value bytes included', () => {
    const out = renderFormat(parseFormat('%t|%p|%o|%T|%k|%v|%h|%%|%s\\n'), r);
    expect(out).toEqual(Buffer.concat([Buffer.from('demo|3|17|1714564800123|k|'), r.value ?? Buffer.alloc(0), Buffer.from('|a=1,flag|%|'), r.value ?? Buffer.alloc(0), Buffer.from('\n')]));
  });

  it('handles escapes and null key and value', () => {
    const out = renderFormat(parseFormat('[%k]\\t[%v]\\r\\0\\\\'), { ...r, key: null, value: null, headers: [] });
    expect(out.toString('binary')).toBe('[]\t[]\r\0\\');
  });

  it.each(['%x', '%', 'a\\q', 'trailing\\'])('rejects %j', (fmt) => {
    expect(() => parseFormat(fmt)).toThrow(UsageError);
  });
});

describe('parseDelimiter', () => {
  it('decodes escapes and multi-byte characters', () => {
    expect(parseDelimiter('\\n', 'd')).toEqual(Buffer.from('\n'));
    expect(parseDelimiter('\\r\\n', 'd')).toEqual(Buffer.from('\r\n'));
    expect(parseDelimiter('\\x1e', 'd')).toEqual(Buffer.from([0x1e]));
    expect(parseDelimiter('::', 'd')).toEqual(Buffer.from('::'));
    expect(parseDelimiter('😀|', 'd')).toEqual(Buffer.from('😀|'));
  });

  it.each(['', '\\x1', '\\q'])('rejects %j', (d) => {
    expect(() => parseDelimiter(d, '--delimiter')).toThrow(UsageError);
  });
});
