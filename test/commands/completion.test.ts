// `logctl completion bash|zsh`: the scripts are loaded into real shells and asked for completions the
// way the shells' completion systems do (COMP_WORDS/COMP_CWORD for bash; words/CURRENT with the
// completion builtins recorded for zsh). Also: package.json "man" lists every generated page.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logctl-completion-'));
  for (const shell of ['bash', 'zsh']) {
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'run.js'), 'completion', shell]);
    writeFileSync(join(dir, shell), stdout);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bash(...words: string[]): Promise<string[]> {
  const script = `source ${join(dir, 'bash')}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _logctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['--norc', '-c', script]);
  return stdout.split('\n').filter((l) => l !== '');
}

async function zsh(...words: string[]): Promise<string[]> {
  const script = `compdef() { :; }
source ${join(dir, 'zsh')}
_describe() { local -a list; list=("\${(@P)4}"); print -rl -- "\${list[@]%%:*}"; }
compadd() { shift; print -rl -- "$@"; }
_files() { print -r -- '<files>'; }
_message() { print -r -- "<message $*>"; }
_default() { print -r -- '<default>'; }
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _logctl`;
  const { stdout } = await run('zsh', ['-f', '-c', script], { env: { ...process.env, HOME: dir } });
  return stdout.split('\n').filter((l) => l !== '');
}

describe('bash completion', () => {
  it('completes commands, subcommands, flags and flag values', async () => {
    const top = await bash('logctl', '');
    expect(top).toEqual(expect.arrayContaining(['broker', 'completion', 'consume', 'produce', 'topic']));
    expect(await bash('logctl', 'top')).toEqual(['topic']);
    expect(await bash('logctl', 'topic', '')).toEqual(['alter-config', 'create', 'delete', 'describe', 'list']);
    expect(await bash('logctl', 'topic', 'cr')).toEqual(['create']);
    expect(await bash('logctl', 'produce', '--comp')).toEqual(['--compression']);
    expect(await bash('logctl', 'produce', 'orders', '-z', '')).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
    expect(await bash('logctl', 'broker', 'start', '--log-level', 'w')).toEqual(['warn']);
    expect(await bash('logctl', 'broker', 'start', '--met')).toEqual(['--metrics']);
    // A value without fixed choices and not a path: nothing to offer.
    expect(await bash('logctl', 'broker', 'start', '--listen', '')).toEqual([]);
    expect(await bash('logctl', 'completion', '')).toEqual([]);
  });
});

describe('zsh completion', () => {
  it('parses, and completes commands, flags with descriptions and flag values', async () => {
    await run('zsh', ['-n', join(dir, 'zsh')]);
    expect(await zsh('logctl', '')).toEqual(expect.arrayContaining(['broker', 'completion', 'consume', 'produce', 'topic']));
    expect(await zsh('logctl', 'topic', '')).toEqual(['alter-config', 'create', 'delete', 'describe', 'list']);
    expect(await zsh('logctl', 'produce', '-z', '')).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
    expect(await zsh('logctl', 'produce', '--')).toEqual(expect.arrayContaining(['--compression', '-z', '--key', '--broker']));
    expect(await zsh('logctl', 'broker', 'start', '--config', '')).toEqual(['<files>']);
    expect(await zsh('logctl', 'broker', 'start', '--listen', '')).toEqual(['<message HOST:PORT>']);
    const script = readFileSync(join(dir, 'zsh'), 'utf8');
    expect(script).toContain("'--compression:batch compression codec'");
  });
});

describe('package.json man', () => {
  it('lists every page of man/', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { man: string[] };
    const pages = readdirSync(join(root, 'man')).filter((f) => f.endsWith('.1')).sort().map((f) => `./man/${f}`);
    expect(pages).toContain('./man/logctl-completion.1');
    expect(pkg.man).toEqual(pages);
  });
});
