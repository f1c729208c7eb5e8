import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('Open a Wireshark-like web UI on a capture file or a live capture')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('ui'));
}
