/**
 * Lists capture interfaces as `tshark -D` prints them ("1. eth0", "3. lo (Loopback)"), by running
 * dumpcap -D (tshark's own back end, same numbering and descriptions) or, when dumpcap is missing,
 * tcpdump -D, whose "1.eth0 [Up, Running]" / "2.any (Pseudo-device …) [Up, Running]" lines are
 * rewritten to tshark's form. Spawned with an argument array, never a shell. No protocol code.
 *
 * tshark also lists extcap interfaces (ciscodump, sshdump …) after the native ones; those are
 * Wireshark plugins that tcplab cannot capture from, so they are not listed.
 */
import { spawn } from 'node:child_process';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import { errnoCode } from '../util/errors.js';

/** One capture interface, numbered from 1 in the tool's order. */
export interface CaptureInterfaceEntry {
  index: number;
  name: string;
  /** Human description (tshark shows it in parentheses), if the tool gives one. */
  description: string | undefined;
}

/** Which tool produced the list. */
export type InterfaceTool = 'dumpcap' | 'tcpdump';

/** Parses `dumpcap -D` or `tcpdump -D` output into entries (lines that do not parse are skipped). */
export function parseInterfaceList(tool: InterfaceTool, text: string): CaptureInterfaceEntry[] {
  const out: CaptureInterfaceEntry[] = [];
  for (const line of text.split('\n')) {
    // dumpcap: "3. lo (Loopback)"; tcpdump: "3.lo [Up, Running, Loopback]", "2.any (Pseudo-device …) [Up, Running]".
    const m = /^(\d+)\.\s*(\S+)(?: \((.*?)\))?(?: \[(.*)\])?\s*$/.exec(line);
    if (!m) continue;
    let description = m[3];
    // tcpdump marks the loopback with a flag where dumpcap (and tshark) print "(Loopback)".
    if (tool === 'tcpdump' && description === undefined && m[4] !== undefined && /\bLoopback\b/.test(m[4])) description = 'Loopback';
    // dumpcap (so tshark) shows no description for "any"; tcpdump does: keep tshark's form.
    if (tool === 'tcpdump' && m[2] === 'any') description = undefined;
    out.push({ index: Number(m[1]), name: m[2]!, description });
  }
  return out;
}

/** Formats entries exactly as `tshark -D` prints native interfaces, one line each. */
export function formatInterfaceList(list: readonly CaptureInterfaceEntry[]): string {
  return list.map((e) => `${e.index}. ${e.name}${e.description !== undefined ? ` (${e.description})` : ''}\n`).join('');
}

class Missing extends Error {}

function run(tool: InterfaceTool, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, ['-D'], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { if (out.length < 1 << 20) out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err = (err + s).slice(-8192); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(errnoCode(e) === 'ENOENT' ? new Missing(tool) : new CaptureError(CAPTURE_ERR.TOOL, `${tool} -D: ${e.message}`, { cause: e }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      const text = err.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Running as user')).join(' ')
        || `${tool} -D ${signal !== null ? `killed by ${signal}` : `exited with status ${code}`}`;
      const perm = /permission|not permitted/i.test(text);
      reject(new CaptureError(perm ? CAPTURE_ERR.PERMISSION : CAPTURE_ERR.TOOL,
        perm ? `${text} (run as root, or give ${tool} cap_net_raw,cap_net_admin: setcap cap_net_raw,cap_net_admin+eip $(command -v ${tool}))` : text));
    });
  });
}

/**
 * Lists the capture interfaces (dumpcap -D, else tcpdump -D). Rejects with a CaptureError whose
 * one-line message says how to fix it: ERR_CAPTURE_TOOL when neither tool is installed or the
 * tool fails, ERR_CAPTURE_PERMISSION when it may not open the capture devices.
 */
export async function listCaptureInterfaces(opts: { tools?: readonly InterfaceTool[]; timeoutMs?: number } = {}): Promise<{ tool: InterfaceTool; interfaces: CaptureInterfaceEntry[] }> {
  const tools = opts.tools ?? ['dumpcap', 'tcpdump'];
  for (const tool of tools) {
    try {
      const text = await run(tool, opts.timeoutMs ?? 10_000);
      return { tool, interfaces: parseInterfaceList(tool, text) };
    } catch (e) {
      if (!(e instanceof Missing)) throw e;
    }
  }
  throw new CaptureError(CAPTURE_ERR.TOOL, `Cannot list interfaces: neither ${tools.join(' nor ')} is installed (apt-get install tcpdump, or wireshark-common for dumpcap).`);
}
