import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerRead(program: Command): void {
  program
    .command('read')
    .description('Read a pcap/pcapng file and print it as tshark does')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('read'));
}
