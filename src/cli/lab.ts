import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LabError } from '../util/errors.js';
import { SCENARIOS, findScenario, withSeed, type Scenario } from '../lab/scenarios.js';
import { runScenario } from '../lab/runner.js';
import { buildReport } from '../lab/report.js';
import { saveAnnotatedCapture } from '../lab/save.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

interface LabFlags {
  write?: string;
  ui?: boolean;
  seed?: string;
  topology?: string;
  quiet?: boolean;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('Run a reproducible TCP experiment and explain it frame by frame')
    .argument('[scenario]', 'experiment to run (without one: the list)')
    .option('-w, --write <file>', 'keep the capture (pcapng, explanations as packet comments)')
    .option('--ui', 'open the capture in the web UI afterwards')
    .option('--seed <n>', 'seed for scenarios with random choices (same seed, same drops)')
    .option('--topology <kind>', 'loopback (one namespace) or veth (two hosts joined by a veth pair)')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addHelpText('after', `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(20)} ${s.summary}`).join('\n')}\n\nNeeds root (network namespaces, nftables). Exit status: 0 when the capture shows the\nscenario's point, 1 when it does not or the run failed, 2 for usage errors.`)
    .action(async (name: string | undefined, flags: LabFlags) => {
      if (!name) {
        for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(20)} ${s.summary}\n`);
        return;
      }
      const base = findScenario(name);
      if (!base) {
        process.stderr.write(`tcplab lab: no scenario "${name}" (one of: ${SCENARIOS.map((s) => s.name).join(', ')})\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      let sc: Scenario = base;
      if (flags.topology !== undefined) {
        if (flags.topology !== 'loopback' && flags.topology !== 'veth') {
          process.stderr.write(`tcplab lab: --topology must be loopback or veth, not "${flags.topology}"\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        sc = { ...sc, topology: flags.topology };
      }
      if (flags.seed !== undefined && !/^\d+$/.test(flags.seed)) {
        process.stderr.write(`tcplab lab: --seed must be a whole number, not "${flags.seed}"\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      sc = withSeed(sc, flags.seed === undefined ? 1 : Number(flags.seed));
      if (flags.seed !== undefined && !base.seeded) process.stderr.write(`lab: ${name} makes no random choices; --seed changes nothing\n`);
      if (process.getuid?.() !== 0) {
        process.stderr.write('tcplab lab: needs root (network namespaces and nftables): run it with sudo\n');
        process.exitCode = EXIT_FAILURE;
        return;
      }
      // The run's files (capture, NFLOG drops, client data) live here until the report is out.
      const work = mkdtempSync(join(tmpdir(), `tcplab-lab-${sc.name}-`));
      const removeWork = () => rmSync(work, { recursive: true, force: true });
      const onSignal = () => {
        // The namespaces and everything in them die with us (parent-death signal): just go.
        removeWork();
        process.stderr.write('tcplab lab: interrupted; lab network removed\n');
        process.exit(130);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const say = flags.quiet ? undefined : (line: string) => process.stderr.write(`lab: ${line}\n`);
        const run = await runScenario(sc, say ? { onProgress: say, dir: work } : { dir: work });
        const report = await buildReport(run);
        process.stdout.write(report.text);
        const saved = flags.write ?? (flags.ui ? join(run.dir, `${sc.name}.pcapng`) : undefined);
        if (saved) {
          await saveAnnotatedCapture(run, report, saved);
          if (flags.write) process.stderr.write(`lab: capture written to ${flags.write}\n`);
        }
        if (report.missing.length > 0) process.exitCode = EXIT_FAILURE;
        if (flags.ui && saved) {
          // The web UI on the saved capture, until Ctrl-C (the lab network is already gone).
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          const bin = fileURLToPath(new URL('../../../bin/tcplab', import.meta.url));
          const ui = spawn(process.execPath, [bin, 'ui', '-r', saved], { stdio: 'inherit' });
          const stop = () => ui.kill('SIGINT');
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          await once(ui, 'exit');
        }
      } catch (e) {
        if (e instanceof LabError) {
          process.stderr.write(`tcplab lab: ${e.message}\n`);
          process.exitCode = EXIT_FAILURE;
          return;
        }
        throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        removeWork();
      }
    });
}
