/**
 * The command-line options of the statistics (-z, --explain, --explain-arith, --explain-filter),
 * apart from src/cli/read-stats.ts that computes them: `read` and `capture` register these at
 * start-up and load the statistics' modules only when one is asked for (a plain read starts
 * ~10 % faster).
 */
import type { Command } from 'commander';

export interface StatsOptions {
  z?: string[];
  /** --explain (true) or --explain=all|flags; --explain-arith is "all". */
  explain?: string | boolean;
  explainArith?: boolean;
  explainFilter?: string;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Registers -z, --explain, --explain-arith and --explain-filter on read or capture. */
export function addStatsOptions(cmd: Command, opts: { explainFilter?: boolean } = {}): Command {
  cmd
    .option('-z <statistics>', 'conv,tcp | expert[,level] | follow,tcp,ascii|hex|raw,N | io,stat,INTERVAL[,FILTER…] (repeatable)', collect, [] as string[])
    .option('--explain [what]', 'under each flagged TCP frame: why, and the likely cause; "all": also the arithmetic of every TCP frame; a per-stream summary at the end')
    .option('--explain-arith', 'same as --explain=all');
  if (opts.explainFilter !== false) cmd.option('--explain-filter <filter>', 'print how the display filter is parsed (dftest-like) and exit');
  return cmd;
}

/** Whether any statistic or explanation was asked for. */
export function wantsStats(o: StatsOptions): boolean {
  return (o.z !== undefined && o.z.length > 0) || o.explain !== undefined || o.explainArith === true;
}
