#!/usr/bin/env node
// The `llmos` command. The project runs its TypeScript through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../client/cli.ts');
await main(process.argv);
