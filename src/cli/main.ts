/**
 * The composition root: the only code that reads argv/env and writes stdout/stderr.
 * Each command lives in its own module with a `register(program)` function.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { isLabError } from '../util/errors.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

/**
 * Each command's module, loaded on demand: `tcplab read` need not compile the web UI, the lab and
 * the echo server (startup was ~0.26 s of a 300k-frame read's ~1 s; every module is ESM, which
 * Node 20 cannot cache compiled).
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  serve: async () => (await import('./serve.js')).registerServe,
  connect: async () => (await import('./connect.js')).registerConnect,
  read: async () => (await import('./read.js')).registerRead,
  capture: async () => (await import('./capture.js')).registerCapture,
  ui: async () => (await import('./ui.js')).registerUi,
  lab: async () => (await import('./lab.js')).registerLab,
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Builds the commander program (exported so tests can inspect it without spawning). With `only`
 * naming a command, just that command is registered (the others are not even loaded).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('tcplab')
    .description('A TCP lab: an echo server, a client you can steer, and every segment as Wireshark shows it.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI; sets process.exitCode (never throws a stack trace at the user). */
export async function run(argv: string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // `tcplab read x.pcap | head`: a closed stdout ends us quietly.
    if (e.code === 'EPIPE') process.exit(0);
    // A full disk (ENOSPC), a broken device: output is being lost, so say so and stop (status 1).
    process.stderr.write(`tcplab: cannot write to stdout: ${e.message}\n`);
    process.exit(EXIT_FAILURE);
  });
  // `tcplab read …` loads only read's modules; anything else (help, typos) loads every command.
  const first = argv[2];
  const program = await buildProgram(first !== undefined && !first.startsWith('-') ? first : undefined);
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
