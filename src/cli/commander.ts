import { createRequire } from 'node:module';
import type * as Commander from 'commander';

// commander is CommonJS. Loaded with require, node skips the ESM wrapper and
// the scan of CommonJS exports it runs for an `import`: ~25 ms of CPU on every
// command here, a fifth of a bare node start (issue 13's CLI goal).
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const Command = commander.Command;
export type Command = Commander.Command;
export const CommanderError = commander.CommanderError;
export type CommanderError = Commander.CommanderError;
