// Every command documents itself: --help shows a description, examples with long flags, and exit codes.
import { describe, expect, it } from 'vitest';
import { assertBuilt, logctl } from './helpers.js';

const COMMANDS = [
  ['broker', 'start'], ['topic', 'create'], ['topic', 'list'], ['topic', 'describe'], ['topic', 'delete'],
  ['topic', 'alter-config'], ['produce'], ['consume'],
];

describe.concurrent('--help', () => {
  it.each(COMMANDS)('%s %s shows usage, examples and exit codes', async (...words) => {
    assertBuilt();
    const r = await logctl([...words.filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`$ logctl ${words.filter(Boolean).join(' ')}`);
    const examples = r.stdout.slice(r.stdout.indexOf('EXAMPLES\n'));
    expect(examples).toMatch(/^EXAMPLES\n {2}\S/);
    expect(examples).toMatch(/\n {2}(\$ )?[^\n]*logctl [^\n]* --[a-z]/);
    expect(r.stdout).toContain('EXIT CODES');
    expect(r.stdout).toMatch(/2 {2}usage error/);
  });

  it('logctl --help lists the commands', async () => {
    const r = await logctl(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['consume', 'produce', 'topic']) expect(r.stdout).toContain(name);
  });
});
