import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('Run a reproducible TCP experiment and explain it frame by frame')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(notBuiltYet('lab'));
}
