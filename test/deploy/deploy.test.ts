/**
 * The packaging agrees with the CLI: the Dockerfile and deploy/kubernetes/ run `tcplab serve` with
 * flags the CLI accepts, on port 6666 everywhere, with TCP probes on that port and an HPA that
 * targets the Deployment. No Docker engine or cluster runs here, so the files are parsed (YAML with
 * the `yaml` package) and the container's command is run as a local process: it must listen,
 * echo bytes, pass the image's HEALTHCHECK command and stop on SIGTERM.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const PORT = 6666;
const K8S = join(root, 'deploy', 'kubernetes');

interface Instruction { op: string; rest: string; line: number }

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && buf === '')) return;
    if (buf === '') start = i + 1;
    buf += (buf ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const m = /^(\S+)\s*(.*)$/.exec(buf);
    if (m) out.push({ op: m[1]!.toUpperCase(), rest: m[2]!, line: start });
    buf = '';
  });
  return out;
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const all = (op: string): Instruction[] => dockerfile.filter((d) => d.op === op);
/** The last instruction `op` of the final stage. */
const finalStage = dockerfile.slice(dockerfile.map((d) => d.op).lastIndexOf('FROM'));
const last = (op: string): Instruction | undefined => finalStage.filter((d) => d.op === op).pop();

function jsonArgv(ins: Instruction | undefined, what: string): string[] {
  assert.ok(ins, `Dockerfile has ${what}`);
  const v: unknown = JSON.parse(ins.rest);
  assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), `${what} is exec (JSON array) form, not a shell string`);
  return v as string[];
}

/** HEALTHCHECK [--interval=… …] CMD ["…"]: the command's argv; it must probe port 6666. */
function healthcheckArgv(): string[] {
  const h = last('HEALTHCHECK');
  assert.ok(h, 'Dockerfile has HEALTHCHECK');
  const m = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/.exec(h.rest);
  assert.ok(m, `HEALTHCHECK ${h.rest} is [options] CMD [...]`);
  assert.match(m[1]!, /--interval=\d+s/, 'HEALTHCHECK sets its interval');
  const argv = jsonArgv({ ...h, rest: m[2]! }, 'HEALTHCHECK CMD');
  assert.ok(argv.join(' ').includes(String(PORT)), 'HEALTHCHECK probes port 6666');
  return argv;
}

const entrypoint = jsonArgv(last('ENTRYPOINT'), 'ENTRYPOINT');
const cmd = jsonArgv(last('CMD'), 'CMD');

/** The tcplab arguments of a container whose ENTRYPOINT is `[init --] tcplab` and CMD/args `args`. */
function tcplabArgs(args: string[]): string[] {
  const i = entrypoint.findIndex((a) => a === 'tcplab' || a.endsWith('/tcplab'));
  assert.ok(i >= 0, `ENTRYPOINT ${JSON.stringify(entrypoint)} runs tcplab`);
  return [...entrypoint.slice(i + 1), ...args];
}

/** Long flags `tcplab serve --help` lists; computed once. */
let serveFlags: Set<string> | undefined;
function acceptedServeFlags(): Set<string> {
  if (serveFlags) return serveFlags;
  const r = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `tcplab serve --help exits 0 (stderr: ${r.stderr})`);
  serveFlags = new Set([...r.stdout.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
  assert.ok(serveFlags.has('--port'), 'serve --help lists --port');
  return serveFlags;
}

/** Checks an argv is `serve` + flags the CLI accepts + port 6666, and returns the port flag's index. */
function assertServeCommand(argv: string[], where: string): number {
  assert.equal(argv[0], 'serve', `${where}: runs \`tcplab serve\` (got ${JSON.stringify(argv)})`);
  const flags = acceptedServeFlags();
  for (const a of argv.slice(1)) {
    if (!a.startsWith('--')) continue;
    const name = a.split('=')[0]!;
    assert.ok(flags.has(name), `${where}: ${name} is a flag \`tcplab serve --help\` lists (${[...flags].join(' ')})`);
  }
  const p = argv.indexOf('--port');
  assert.ok(p > 0, `${where}: passes --port`);
  assert.equal(argv[p + 1], String(PORT), `${where}: port ${PORT}`);
  return p;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Follows a dotted path ("spec.template.spec"); numbers index arrays. */
function at(o: unknown, path: string): unknown {
  let v = o;
  for (const k of path.split('.')) {
    if (Array.isArray(v)) v = v[Number(k)];
    else if (isObj(v)) v = v[k];
    else return undefined;
  }
  return v;
}

/** Every document of every YAML file in deploy/kubernetes, parsed strictly. */
const manifests: { file: string; doc: Obj }[] = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f)).flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors.map((e) => e.message), [], `${file} parses`);
    const doc: unknown = d.toJS();
    assert.ok(isObj(doc), `${file}: a mapping`);
    return { file, doc };
  }));
const kind = (k: string): Obj => {
  const found = manifests.filter((m) => m.doc['kind'] === k);
  assert.equal(found.length, 1, `exactly one ${k} in deploy/kubernetes`);
  return found[0]!.doc;
};

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const a = s.address();
  s.close();
  assert.ok(a && typeof a === 'object');
  return a.port;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => { t = setTimeout(() => fail(new Error(`timed out: ${what}`)), ms); });
  try { return await Promise.race([p, timeout]); } finally { clearTimeout(t); }
}

/** Connects to 127.0.0.1:port until it accepts (bounded), sends `msg`, resolves with what comes back. */
async function echoOnce(port: number, msg: Buffer): Promise<Buffer> {
  for (let i = 0; ; i++) {
    try {
      return await withTimeout(new Promise<Buffer>((ok, fail) => {
        const chunks: Buffer[] = [];
        let n = 0;
        const s = connect(port, '127.0.0.1', () => s.write(msg));
        s.on('data', (d: Buffer) => { chunks.push(d); n += d.length; if (n >= msg.length) { s.destroy(); ok(Buffer.concat(chunks)); } });
        s.on('error', fail);
        s.on('close', () => fail(new Error('closed before the echo came back')));
      }), 3000, 'echo');
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('the Dockerfile is multi-stage on a slim Node 20 base', () => {
  const froms = all('FROM');
  assert.ok(froms.length >= 2, 'at least two stages');
  for (const f of froms) assert.match(f.rest, /^node:20[\w.-]*-slim\b/, `line ${f.line}: slim Node 20 base`);
  assert.ok(finalStage.some((d) => d.op === 'COPY' && d.rest.includes('--from=')), 'the final stage copies the build output');
  assert.ok(!finalStage.some((d) => d.op === 'RUN' && /\b(tsc|npm ci|npm install)\b/.test(d.rest)), 'the final stage neither builds nor installs packages from npm');
});

test('the image runs as a non-root user and exposes 6666', () => {
  const user = last('USER');
  assert.ok(user, 'USER is set in the final stage');
  assert.doesNotMatch(user.rest, /^(root|0)(:|$)/, 'not root');
  assert.deepEqual(last('EXPOSE')?.rest.split(/\s+/), [String(PORT)]);
});

test('the Dockerfile copies only paths that exist and that .dockerignore lets through', () => {
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const c of all('COPY').filter((d) => !d.rest.includes('--from='))) {
    const srcs = c.rest.split(/\s+/).slice(0, -1);
    for (const s of srcs) {
      assert.ok(existsSync(join(root, s)), `COPY ${s} (line ${c.line}) exists`);
      const top = s.replace(/\/$/, '').split('/')[0]!;
      assert.ok(!ignored.includes(top), `COPY ${s} is not excluded by .dockerignore`);
    }
  }
  for (const heavy of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(heavy), `.dockerignore excludes ${heavy}`);
});

test('the container command is `tcplab serve` with flags the CLI accepts, port 6666', () => {
  assertServeCommand(tcplabArgs(cmd), 'Dockerfile CMD');
});

test('the Deployment runs the same command with TCP probes on 6666 and resource limits', () => {
  const dep = kind('Deployment');
  assert.equal(dep['apiVersion'], 'apps/v1');
  const containers = at(dep, 'spec.template.spec.containers');
  assert.ok(Array.isArray(containers) && containers.length === 1, 'one container');
  const c: unknown = containers[0];
  assert.equal(at(c, 'command'), undefined, 'no `command:` (it would bypass the image ENTRYPOINT and its init)');
  const args = at(c, 'args');
  assert.ok(Array.isArray(args), 'args given');
  assertServeCommand(tcplabArgs(args as string[]), 'Deployment args');
  assert.deepEqual(at(c, 'ports'), [{ name: 'echo', containerPort: PORT, protocol: 'TCP' }]);
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    assert.deepEqual(Object.keys(at(c, probe) as Obj).filter((k) => ['tcpSocket', 'httpGet', 'exec', 'grpc'].includes(k)), ['tcpSocket'], `${probe} is tcpSocket`);
    assert.equal(at(c, `${probe}.tcpSocket.port`), PORT, `${probe} on ${PORT}`);
  }
  for (const r of ['limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']) {
    assert.ok(at(c, `resources.${r}`) !== undefined, `resources.${r} set`);
  }
  // Node sizes its default worker count from the node's cores, not the pod's CPU quota.
  const w = (args as string[]).indexOf('--workers');
  const cpuLimit = String(at(c, 'resources.limits.cpu'));
  const cores = cpuLimit.endsWith('m') ? Number(cpuLimit.slice(0, -1)) / 1000 : Number(cpuLimit);
  assert.ok(w > 0, 'Deployment args fix --workers');
  assert.ok(Number(args[w + 1]) >= 1 && Number(args[w + 1]) <= Math.ceil(cores), `--workers ${String(args[w + 1])} fits the ${cpuLimit} CPU limit`);
  assert.equal(at(dep, 'spec.template.spec.securityContext.runAsNonRoot'), true);
  assertSelectsPods(at(dep, 'spec.selector.matchLabels'), 'Deployment');
});

/** Asserts a non-empty label selector that the Deployment's pods satisfy. */
function assertSelectsPods(sel: unknown, what: string): void {
  const podLabels = at(kind('Deployment'), 'spec.template.metadata.labels') as Obj;
  assert.ok(isObj(sel) && Object.keys(sel).length > 0, `${what} has a selector`);
  for (const [k, v] of Object.entries(sel)) assert.equal(podLabels[k], v, `${what} selector ${k}=${String(v)} matches the pods`);
}

test('the Service selects the Deployment pods and forwards 6666 to 6666', () => {
  const svc = kind('Service');
  assertSelectsPods(at(svc, 'spec.selector'), 'Service');
  assert.deepEqual((at(svc, 'spec.ports') as Obj[]).map((p) => [p['port'], p['targetPort'], p['protocol']]), [[PORT, PORT, 'TCP']]);
});

test('the HorizontalPodAutoscaler targets the Deployment, whose pods request the resources it measures', () => {
  const hpa = kind('HorizontalPodAutoscaler');
  const dep = kind('Deployment');
  assert.equal(hpa['apiVersion'], 'autoscaling/v2');
  assert.deepEqual(at(hpa, 'spec.scaleTargetRef'), { apiVersion: 'apps/v1', kind: 'Deployment', name: at(dep, 'metadata.name') });
  const min = at(hpa, 'spec.minReplicas') as number;
  const max = at(hpa, 'spec.maxReplicas') as number;
  assert.ok(min >= 1 && max > min, `1 <= minReplicas ${min} < maxReplicas ${max}`);
  const metrics = at(hpa, 'spec.metrics') as Obj[];
  assert.ok(metrics.length > 0);
  for (const m of metrics) {
    const name = at(m, 'resource.name') as string;
    assert.equal(at(m, 'type'), 'Resource');
    assert.ok(at(dep, `spec.template.spec.containers.0.resources.requests.${name}`) !== undefined, `utilisation of ${name} needs a request`);
  }
});

test('the PodDisruptionBudget covers the Deployment pods and leaves some running', () => {
  const pdb = kind('PodDisruptionBudget');
  assert.equal(pdb['apiVersion'], 'policy/v1');
  assertSelectsPods(at(pdb, 'spec.selector.matchLabels'), 'PodDisruptionBudget');
  const maxUnavailable = at(pdb, 'spec.maxUnavailable');
  assert.ok(typeof maxUnavailable === 'number' && maxUnavailable < (at(kind('HorizontalPodAutoscaler'), 'spec.minReplicas') as number),
    'fewer pods may be disrupted than the HPA keeps at least');
});

test('kustomization.yaml lists every manifest and the image tag is the package version', () => {
  const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
  const kust = manifests.find((m) => m.file === 'kustomization.yaml')?.doc;
  assert.deepEqual([...(at(kust, 'resources') as string[])].sort(), files);
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(at(kind('Deployment'), 'spec.template.spec.containers.0.image'), `tcplab:${version}`);
});

test('the container command really serves: echoes, passes the HEALTHCHECK, stops on SIGTERM', async () => {
  const argv = tcplabArgs(cmd);
  const port = await freePort();
  const p = assertServeCommand(argv, 'Dockerfile CMD');
  const local = argv.map((a, i) => (i === p + 1 ? String(port) : a));
  const child = spawn(process.execPath, [bin, ...local], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const msg = Buffer.from('tcplab deploy check \x00\xff\r\n');
  assert.deepEqual(await echoOnce(port, msg), msg, `echoes byte-exact (stderr: ${stderr})`);

  // The image's HEALTHCHECK, pointed at this port: 0 while serving.
  const hc = healthcheckArgv();
  const health = (): number | null => spawnSync(hc[0] === 'node' ? process.execPath : hc[0]!, hc.slice(1).map((a) => a.split(String(PORT)).join(String(port))), { timeout: 10_000 }).status;
  assert.equal(health(), 0, 'HEALTHCHECK passes while the server runs');

  child.kill('SIGTERM');
  const [code, signal] = await withTimeout(once(child, 'exit'), 5000, 'exit after SIGTERM') as [number | null, string | null];
  assert.ok(code !== null || signal === 'SIGTERM', `exited (code ${code}, signal ${signal})`);
  assert.notEqual(health(), 0, 'HEALTHCHECK fails once the server is gone');
});
