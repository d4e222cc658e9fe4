#!/usr/bin/env node
// The installed `mm365` command. Node 24 runs the TypeScript sources directly (type stripping).
await import('../src/main.ts');
