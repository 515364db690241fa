#!/usr/bin/env node
// Runs src/main.ts through tsx's loader in this same process (no wrapper process, so signals reach it).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
