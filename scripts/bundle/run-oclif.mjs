// Runs oclif over the bundled command map instead of a commands directory: the root plugin is built in
// memory from package.json with oclif's "explicit" strategy and its command cache filled in advance, so
// oclif never imports a command file (there is none beside a bundle).
import { Config, Plugin, flush, handle, run } from '@oclif/core';
import { COMMANDS } from 'logctl:commands';
import pjson from '../../package.json';

/** `root`: what oclif takes as the CLI's home (it only reads package.json there, and we pass it in). */
export function runOclif(root) {
  const main = async () => {
    const plugin = new Plugin({
      isRoot: true,
      root,
      ignoreManifest: true,
      pjson: { ...pjson, oclif: { ...pjson.oclif, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' } } },
    });
    // oclif's explicit strategy imports `target` unless its command cache is already filled.
    plugin.commandCache = COMMANDS;
    await plugin.load();
    const config = await Config.load({ root, plugins: new Map([[plugin.name, plugin]]) });
    await run(process.argv.slice(2), config);
    flush();
  };
  main().catch((error) => handle(error));
}
