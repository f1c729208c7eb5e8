import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('Capture live packets and print them as tshark does')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('capture'));
}
