import { EXIT_USAGE } from './exit-codes.js';

/** Action for a command a later issue builds: one line, exit status 2. */
export function notBuiltYet(name: string): () => void {
  return () => {
    process.stderr.write(`tcplab ${name}: not built yet\n`);
    process.exitCode = EXIT_USAGE;
  };
}
