#!/usr/bin/env node
// Enforces the dependency direction of DESIGN.md §1: every import between src/ folders (and from
// commands/) must be allowed by RULES and go through the target folder's index.ts, nothing in src/ may
// import src/index.ts, and there are no cycles between folders. Exits 1 listing every violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const RULES = {
  commands: ['cli', 'client', 'common', 'records'],
  cli: ['client', 'records', 'common'],
  broker: ['coordinator', 'replication', 'cluster', 'storage', 'protocol', 'net', 'records', 'common'],
  replication: ['client', 'storage', 'cluster', 'protocol', 'records', 'common'],
  coordinator: ['storage', 'records', 'common'],
  client: ['net', 'protocol', 'records', 'common'],
  net: ['common'],
  protocol: ['records', 'common'],
  storage: ['records', 'common'],
  cluster: ['records', 'common'],
  records: ['common'],
  common: [],
};

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

function layerOf(file) {
  const rel = relative(root, file).split(sep);
  if (rel[0] === 'commands') return 'commands';
  if (rel[0] === 'src' && rel.length > 2) return rel[1];
  if (rel[0] === 'src') return 'index';
  return undefined;
}

const violations = [];
const edges = new Map();
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const top of ['src', 'commands']) {
  for (const file of walk(join(root, top))) {
    const from = layerOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const to = layerOf(target);
      const where = relative(root, file);
      if (relative(root, target).replace(/\.js$/, '') === join('src', 'index') && from !== 'index') {
        violations.push(`${where}: imports the package barrel src/index.ts`);
        continue;
      }
      if (!to || to === from || from === 'index') continue;
      // Another folder is reached only through its public surface, src/<folder>/index.ts.
      if (to !== 'commands' && relative(root, target).replace(/\.js$/, '') !== join('src', to, 'index')) {
        violations.push(`${where}: imports ${spec}, an internal file of ${to}/ (use ${to}/index.js)`);
      }
      const isBrokerStart = relative(root, file) === join('commands', 'broker', 'start.ts');
      if (from === 'commands' && to === 'broker' && isBrokerStart) continue;
      if (!(RULES[from] ?? []).includes(to)) violations.push(`${where}: ${from} → ${to} is not allowed`);
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
}

// Cycle check over the folder graph (depth-first, colouring).
const state = new Map();
function visit(node, path) {
  if (state.get(node) === 'done') return;
  if (state.get(node) === 'active') {
    violations.push(`cycle: ${[...path.slice(path.indexOf(node)), node].join(' → ')}`);
    return;
  }
  state.set(node, 'active');
  for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
  state.set(node, 'done');
}
for (const node of edges.keys()) visit(node, []);

if (violations.length > 0) {
  console.error(`layering check failed:\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.error('layering check: ok');
