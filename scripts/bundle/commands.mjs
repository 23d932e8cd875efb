// What both bundles (dist/cli.cjs from build-cli.mjs, the single executable from build-binary.mjs) share:
// esbuild's base options, the command map oclif would otherwise discover on the file system, and the
// esbuild plugin that serves it as the virtual module `logctl:commands`.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** esbuild options both bundles use: one minified CommonJS file for Node 20. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
};

/** Every command source under commands/, sorted. */
function commandFiles(dir = join(ROOT, 'commands')) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...commandFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

/** `export const COMMANDS = { 'topic:create': C0, ... }`, ids exactly as oclif's pattern strategy derives them. */
function commandsModule() {
  const files = commandFiles();
  const lines = files.map((f, i) => `import C${i} from ${JSON.stringify(f)};`);
  const entries = files.map((f, i) => {
    const parts = relative(join(ROOT, 'commands'), f).replace(/\.ts$/, '').split(sep);
    if (parts.at(-1) === 'index') parts.pop();
    return `  ${JSON.stringify(parts.join(':'))}: C${i},`;
  });
  return `${lines.join('\n')}\nexport const COMMANDS = {\n${entries.join('\n')}\n};\n`;
}

/** esbuild plugin: resolves `import { COMMANDS } from 'logctl:commands'`. */
export const commandsPlugin = {
  name: 'logctl-commands',
  setup(b) {
    b.onResolve({ filter: /^logctl:commands$/ }, () => ({ path: 'commands', namespace: 'logctl' }));
    b.onLoad({ filter: /.*/, namespace: 'logctl' }, () => ({ contents: commandsModule(), loader: 'js', resolveDir: ROOT }));
  },
};
