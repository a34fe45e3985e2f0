#!/usr/bin/env node
// Each command has an entry of its own in the bundle (dist/bundle/command-<name>.js, built by scripts/bundle.js):
// only that command's code is read at start. Anything else (--version, help, a mistyped command) goes to cli.js.
import { existsSync } from 'node:fs';

const name = process.argv[2];
const entry = name !== undefined && /^[a-z]+$/.test(name) ? new URL(`../dist/bundle/command-${name}.js`, import.meta.url) : undefined;
const { main } = await import(entry !== undefined && existsSync(entry) ? entry.href : '../dist/bundle/cli.js');
process.exitCode = await main(process.argv);
