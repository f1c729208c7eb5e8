import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerConnect(program: Command): void {
  program
    .command('connect')
    .description('Talk to a TCP server like telnet, steering how the client socket behaves')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('connect'));
}
