#!/usr/bin/env node
// The `llmos` command. In a checkout it runs the TypeScript sources through tsx; an installed
// package runs its compiled dist/ on plain Node, which starts in a fraction of the time and
// memory (so does a checkout with LLMOS_RUN_BUILT=1, after `npm run build`). Either way a
// project's llmos.config.ts loads as is: the built package registers tsx for it.
import { existsSync } from 'node:fs';

const sources = new URL('../client/cli.ts', import.meta.url);
const built = new URL('../dist/client/cli.js', import.meta.url);
const fromSources = existsSync(sources) && process.env.LLMOS_RUN_BUILT !== '1';
if (fromSources) {
  const { register } = await import('tsx/esm/api');
  register();
} else if (!existsSync(built)) {
  console.error(
    'llmos: LLMOS_RUN_BUILT=1 runs the built package, and dist/ has none: run `npm run build` first',
  );
  process.exit(1);
}
// One of two modules, chosen at run time: neither path can be typed here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const { main } = await import(fromSources ? sources.href : built.href);
// eslint-disable-next-line @typescript-eslint/no-unsafe-call
await main(process.argv);
