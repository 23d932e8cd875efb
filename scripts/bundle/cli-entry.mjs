// dist/cli.cjs's main script (bundled by scripts/build-cli.mjs). The bundle sits in <package>/dist.
import { dirname } from 'node:path';
import { runCli } from './run-oclif.mjs';

runCli(dirname(__dirname));
