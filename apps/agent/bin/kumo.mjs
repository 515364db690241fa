#!/usr/bin/env node
// The administrator's CLI (src/cli/main.ts), loaded through tsx in this same process.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
