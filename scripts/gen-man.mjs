#!/usr/bin/env node
// Generates man/ (mdoc) from the compiled oclif commands: the same summaries, descriptions, flags,
// defaults, examples, exit codes and environment that `--help` shows, so the pages cannot drift from
// the commands (test/commands/man-pages.test.ts regenerates them and compares with the committed files).
//
//   npx tsc -p . && node scripts/gen-man.mjs [OUT_DIR]        (default OUT_DIR: man/)
//
// One page per command, `logctl-<topic>-<verb>.1`, plus `logctl.1` listing them; package.json "man" is
// updated to list every page. Description paragraphs
// whose first line is an upper-case title (EXIT CODES, ENVIRONMENT) become sections of their own.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// A fixed date keeps the output reproducible; bump it when the pages change meaningfully.
const PAGE_DATE = 'November 21, 2025';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Escapes text for a roff text line: backslashes, and a leading '.' or "'" that would read as a request. */
function text(s) {
  return s
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** A macro argument: quoted when it holds spaces, with quotes and backslashes escaped. */
function arg(s) {
  const escaped = s.replace(/\\/g, '\\e').replace(/"/g, '\\(dq');
  return /[\s]/.test(escaped) || escaped === '' ? `"${escaped}"` : escaped;
}

const pageName = (id) => `logctl-${id.split(':').join('-')}`;
const commandWords = (id) => `logctl ${id.split(':').join(' ')}`;

function flagValue(flag) {
  if (flag.type === 'boolean') return undefined;
  if (flag.helpValue) return Array.isArray(flag.helpValue) ? flag.helpValue.join(' ') : flag.helpValue;
  if (flag.options) return flag.options.join('|');
  return 'VALUE';
}

function flagHead(flag) {
  const value = flagValue(flag);
  const names = [flag.char ? `Fl ${flag.char}` : null, `Fl \\-${flag.name}`, flag.allowNo ? `Fl \\-no-${flag.name}` : null].filter(Boolean).join(' , ');
  return value === undefined ? names : `${names} Ns = Ns Ar ${arg(value)}`;
}

function flagBody(flag) {
  const parts = [flag.description ?? ''];
  if (flag.options && flag.type !== 'boolean') parts.push(`One of: ${flag.options.join(', ')}.`);
  if (flag.default !== undefined && flag.type !== 'boolean' && typeof flag.default !== 'function') {
    parts.push(`Default: ${Array.isArray(flag.default) ? flag.default.join(', ') : String(flag.default)}.`);
  }
  if (flag.multiple) parts.push('May be repeated.');
  return text(parts.filter(Boolean).join('. ').replace(/\.\./g, '.'));
}

function flagList(flags) {
  const out = ['.Bl -tag -width Ds'];
  for (const flag of flags) out.push(`.It ${flagHead(flag)}`, flagBody(flag));
  out.push('.El');
  return out;
}

function synopsis(cmd, flags) {
  const out = [`.Nm ${commandWords(cmd.id)}`];
  for (const [name, a] of Object.entries(cmd.args ?? {})) {
    const variadic = cmd.strict === false ? ' ...' : '';
    out.push(a.required ? `.Ar ${arg(name.toUpperCase())}${variadic}` : `.Op Ar ${arg(name.toUpperCase())}${variadic}`);
  }
  for (const flag of flags) {
    const value = flagValue(flag);
    const name = flag.char ? `Fl ${flag.char}` : `Fl \\-${flag.name}`;
    out.push(`.Op ${name}${value === undefined ? '' : ` Ar ${arg(value)}`}`);
  }
  return out;
}

/** Splits an oclif description into plain paragraphs and titled sections ("EXIT CODES\n  0  ok"). */
function descriptionParts(description) {
  const paragraphs = [];
  const sections = [];
  for (const para of (description ?? '').split(/\n\s*\n/)) {
    const lines = para.split('\n');
    const title = lines[0]?.trim() ?? '';
    if (/^[A-Z][A-Z ]+$/.test(title) && lines.length > 1) sections.push({ title, lines: lines.slice(1) });
    else if (para.trim()) paragraphs.push(para.trim());
  }
  return { paragraphs, sections };
}

/** "  0  success" / "  NO_COLOR  disables colors" → a tag list. */
function sectionBody(lines) {
  const out = ['.Bl -tag -width Ds'];
  for (const line of lines) {
    const m = /^\s*(\S+)\s+(.*)$/.exec(line);
    if (m) out.push(`.It ${m[1].startsWith('$') || /^[A-Z_]+$/.test(m[1]) ? `Ev ${m[1]}` : `Sy ${m[1]}`}`, text(m[2]));
    else out.push(text(line.trim()));
  }
  out.push('.El');
  return out;
}

const SECTION_NAMES = { 'EXIT CODES': 'EXIT STATUS' };

function examples(cmd) {
  const list = (cmd.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command)).map((e) => e.replaceAll('<%= config.bin %>', 'logctl'));
  if (list.length === 0) return [];
  const out = ['.Sh EXAMPLES'];
  list.forEach((e, i) => {
    if (i > 0) out.push('.Pp');
    out.push('.Bd -literal -offset indent', text(`$ ${e}`), '.Ed');
  });
  return out;
}

function header(name, summary) {
  return [
    `.\\" Generated by scripts/gen-man.mjs from the logctl command definitions. Do not edit.`,
    `.Dd ${PAGE_DATE}`,
    `.Dt ${name.toUpperCase()} 1`,
    `.Os logctl ${pkg.version}`,
    '.Sh NAME',
    `.Nm ${name}`,
    `.Nd ${summary.replace(/\\/g, '\\e')}`,
  ];
}

function commandPage(cmd, all) {
  const flags = Object.values(cmd.flags ?? {}).filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name));
  const own = flags.filter((f) => f.helpGroup !== 'GLOBAL');
  const global = flags.filter((f) => f.helpGroup === 'GLOBAL');
  const { paragraphs, sections } = descriptionParts(cmd.description);
  const out = [...header(pageName(cmd.id), cmd.summary ?? paragraphs[0] ?? ''), '.Sh SYNOPSIS', ...synopsis(cmd, own)];
  out.push('.Sh DESCRIPTION');
  paragraphs.forEach((p, i) => out.push(...(i > 0 ? ['.Pp'] : []), text(p)));
  const args = Object.entries(cmd.args ?? {});
  if (args.length) {
    out.push('.Sh ARGUMENTS', '.Bl -tag -width Ds');
    for (const [name, a] of args) out.push(`.It Ar ${arg(name.toUpperCase())}`, text(a.description ?? ''));
    out.push('.El');
  }
  if (own.length) out.push('.Sh OPTIONS', ...flagList(own));
  if (global.length) out.push('.Sh GLOBAL OPTIONS', ...flagList(global));
  for (const s of sections) out.push(`.Sh ${SECTION_NAMES[s.title] ?? s.title}`, ...sectionBody(s.lines));
  out.push(...examples(cmd));
  const related = ['logctl', ...all.filter((c) => c.id !== cmd.id).map((c) => pageName(c.id))];
  out.push('.Sh SEE ALSO', related.map((r, i) => `.Xr ${r} 1${i < related.length - 1 ? ' ,' : ''}`).join('\n'));
  return out.join('\n') + '\n';
}

function overviewPage(commands) {
  const out = [...header('logctl', 'a Kafka-compatible commit log and its command-line tools'), '.Sh SYNOPSIS', '.Nm', '.Ar command', '.Op Ar options'];
  out.push('.Sh DESCRIPTION', text(pkg.description + '.'), '.Pp',
    text('Data goes to standard output; progress, warnings and errors go to standard error, one line per error (logctl: <message>). ' +
      'Colors are used only on a terminal, never with NO_COLOR or --no-color. Every command accepts --help.'));
  out.push('.Sh COMMANDS', '.Bl -tag -width Ds');
  for (const cmd of commands) out.push(`.It Cm ${commandWords(cmd.id).slice('logctl '.length)}`, text(`${cmd.summary ?? ''}; see`), `.Xr ${pageName(cmd.id)} 1 .`);
  out.push('.El');
  const client = commands.find((c) => Object.values(c.flags ?? {}).some((f) => f.name === 'broker'));
  if (client) {
    const global = Object.values(client.flags).filter((f) => f.helpGroup === 'GLOBAL').sort((a, b) => a.name.localeCompare(b.name));
    out.push('.Sh GLOBAL OPTIONS', ...flagList(global));
    for (const s of descriptionParts(client.description).sections) out.push(`.Sh ${SECTION_NAMES[s.title] ?? s.title}`, ...sectionBody(s.lines));
  }
  out.push('.Sh FILES', '.Bl -tag -width Ds',
    '.It Pa ~/.config/logctl/config.yaml', text('profiles: {NAME: {broker: HOST:PORT}}; the profile "default" applies when --profile is not given.'),
    '.It Pa ~/.local/share/logctl/', text('the default data directory of logctl broker start, and its Unix socket logctl.sock.'),
    '.El');
  out.push('.Sh SEE ALSO', commands.map((c, i) => `.Xr ${pageName(c.id)} 1${i < commands.length - 1 ? ' ,' : ''}`).join('\n'));
  return out.join('\n') + '\n';
}

/** Builds every page: a map from file name to content. */
export async function generateManPages() {
  const config = await Config.load(root);
  const commands = [...config.commands].filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id));
  const pages = new Map([['logctl.1', overviewPage(commands)]]);
  for (const cmd of commands) pages.set(`${pageName(cmd.id)}.1`, commandPage(cmd, commands));
  return pages;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, 'man'));
  mkdirSync(outDir, { recursive: true });
  const pages = await generateManPages();
  for (const [name, content] of pages) writeFileSync(join(outDir, name), content);
  if (outDir === join(root, 'man')) syncPackageMan([...pages.keys()]);
}

/** package.json "man" lists every page, so that `npm install -g` installs them all. */
function syncPackageMan(names) {
  const file = join(root, 'package.json');
  const text = readFileSync(file, 'utf8');
  const current = JSON.parse(text);
  const man = names.sort().map((n) => `./man/${n}`);
  if (JSON.stringify(current.man) === JSON.stringify(man)) return;
  current.man = man;
  writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
}
