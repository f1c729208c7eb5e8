import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the TCP echo server (default port 6666)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('serve'));
}
