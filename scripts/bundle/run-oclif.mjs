// Runs oclif over the bundled command map instead of a commands directory: the root plugin is built in
// memory from package.json with oclif's "explicit" strategy and its command cache filled in advance, so
// oclif never imports a command file (there is none beside a bundle).
//
// `broker start` (without --help) gets a map of that one command: the other commands and what only they
// use (our client, the table and spinner libraries) are then never evaluated, ~20 ms less before the
// broker listens. The bundle keeps modules reached only through import() unevaluated until then.
import { Config, Plugin, flush, handle, run } from '@oclif/core';
import pjson from '../../package.json';

/** `root`: what oclif takes as the CLI's home (it only reads package.json there, and we pass it in). */
export function runCli(root) {
  const argv = process.argv.slice(2);
  const brokerStart = argv[0] === 'broker' && argv[1] === 'start' && !argv.includes('--help') && !argv.includes('-h');
  const commands = brokerStart
    ? import('../../commands/broker/start.ts').then(({ default: BrokerStart }) => ({ 'broker:start': BrokerStart }))
    : import('logctl:commands').then(({ COMMANDS }) => COMMANDS);
  commands.then((map) => runOclif(root, map, argv)).catch((error) => handle(error));
}

async function runOclif(root, commands, argv) {
  const plugin = new Plugin({
    isRoot: true,
    root,
    ignoreManifest: true,
    pjson: { ...pjson, oclif: { ...pjson.oclif, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' } } },
  });
  // oclif's explicit strategy imports `target` unless its command cache is already filled.
  plugin.commandCache = commands;
  await plugin.load();
  const config = await Config.load({ root, plugins: new Map([[plugin.name, plugin]]) });
  await run(argv, config);
  flush();
}
