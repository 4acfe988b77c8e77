#!/usr/bin/env node
// The `llmos` command. In a checkout it runs the TypeScript sources; an installed package runs
// its compiled dist/. Either way tsx is registered, so a project's llmos.config.ts loads as is.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const sources = new URL('../client/cli.ts', import.meta.url);
// One of two modules, chosen at run time: neither path can be typed here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const { main } = await import(existsSync(sources) ? sources.href : '../dist/client/cli.js');
// eslint-disable-next-line @typescript-eslint/no-unsafe-call
await main(process.argv);
