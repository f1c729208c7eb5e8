/**
 * The composition root: the only code that reads argv/env and writes stdout/stderr.
 * Each command lives in its own module with a `register(program)` function.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { isLabError } from '../util/errors.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';
import { registerServe } from './serve.js';
import { registerConnect } from './connect.js';
import { registerRead } from './read.js';
import { registerCapture } from './capture.js';
import { registerUi } from './ui.js';
import { registerLab } from './lab.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Builds the commander program (exported so tests can inspect it without spawning). */
export function buildProgram(): Command {
  const program = new Command('tcplab')
    .description('A TCP lab: an echo server, a client you can steer, and every segment as Wireshark shows it.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerConnect(program);
  registerRead(program);
  registerCapture(program);
  registerUi(program);
  registerLab(program);
  return program;
}

/** Runs the CLI; sets process.exitCode (never throws a stack trace at the user). */
export async function run(argv: string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // `tcplab read x.pcap | head`: a closed stdout ends us quietly.
    if (e.code === 'EPIPE') process.exit(0);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2 (commander already printed the message).
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (isLabError(e)) {
      process.stderr.write(`tcplab: ${e.message}\n`);
      process.exitCode = e.code.startsWith('ERR_USAGE') ? EXIT_USAGE : EXIT_FAILURE;
      return;
    }
    process.stderr.write(`tcplab: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env['TCPLAB_DEBUG']) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
