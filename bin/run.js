#!/usr/bin/env node
// The built CLI: oclif finds the compiled commands in dist/commands (see package.json "oclif").
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
