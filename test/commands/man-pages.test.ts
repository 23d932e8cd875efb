// The committed man pages are exactly what scripts/gen-man.mjs generates from the built commands, so
// they cannot drift from the flags. After changing a command: `npx tsc -p . && node scripts/gen-man.mjs`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, assertBuilt } from './helpers.js';

interface GenModule { generateManPages(): Promise<Map<string, string>> }

describe('man/', () => {
  it('matches the pages generated from the command definitions', async () => {
    assertBuilt();
    const gen = (await import(join(ROOT, 'scripts', 'gen-man.mjs'))) as GenModule;
    const pages = await gen.generateManPages();
    const committed = readdirSync(join(ROOT, 'man')).filter((f) => f.endsWith('.1')).sort();
    expect(committed).toEqual([...pages.keys()].sort());
    for (const [name, content] of pages) {
      expect(readFileSync(join(ROOT, 'man', name), 'utf8'), `man/${name} is stale: run node scripts/gen-man.mjs`).toBe(content);
    }
  });

  it('has a page for every command of the issue, each with its flags', async () => {
    const expected = {
      'logctl-broker-start.1': ['data-dir', 'listen', 'socket', 'no-socket', 'config', 'set', 'ready-json'],
      'logctl-topic-create.1': ['partitions', 'replication-factor', 'config', 'if-not-exists'],
      'logctl-topic-list.1': ['internal', 'json'],
      'logctl-topic-describe.1': ['json'],
      'logctl-topic-delete.1': ['if-exists'],
      'logctl-topic-alter-config.1': ['set', 'delete'],
      'logctl-produce.1': ['topic', 'delimiter', 'key-delimiter', 'key', 'header', 'partition', 'input', 'acks', 'compression', 'report'],
      'logctl-consume.1': ['topic', 'from-offset', 'partition', 'until-end', 'count', 'output', 'format', 'value-format'],
    };
    for (const [page, flags] of Object.entries(expected)) {
      const text = readFileSync(join(ROOT, 'man', page), 'utf8');
      expect(text).toContain('.Sh EXIT STATUS');
      for (const flag of flags) expect(text, `${page} --${flag}`).toContain(`Fl \\-${flag}`);
    }
  });
});
