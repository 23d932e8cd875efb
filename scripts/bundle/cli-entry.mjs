// dist/cli.cjs's main script (bundled by scripts/build-cli.mjs). The bundle sits in <package>/dist.
import { dirname } from 'node:path';
import { runOclif } from './run-oclif.mjs';

runOclif(dirname(__dirname));
