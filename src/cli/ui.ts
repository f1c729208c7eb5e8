/**
 * `tcplab ui [-r FILE | -i IFACE [-f BPF]] [--port 8080] [--host 127.0.0.1] [--with-echo-server]
 * [--demo]`: the Wireshark-like web UI (src/web). Binds 127.0.0.1 unless --host says otherwise
 * (with a warning), prints the URL and keeps serving until Ctrl-C.
 *
 * --demo is `npm start`'s scene: the echo server on 6666 plus a live capture of `tcp port 6666`
 * on lo. Without capture privileges the UI still opens (files, uploads) with a notice saying how
 * to enable live capture.
 *
 * Exit statuses: 2 bad usage / unreadable -r file, 1 the port cannot be bound.
 */
import type { Command } from 'commander';
import { UiServer } from '../web/server.js';
import { FrameStore } from '../web/store.js';
import { loadSource } from '../web/ingest.js';
import { startLiveCapture } from '../wire/live.js';
import { EchoServer } from '../server/echo-server.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

interface UiOptions {
  r?: string;
  i?: string;
  f?: string;
  port: string;
  host: string;
  withEchoServer?: boolean;
  echoPort: string;
  demo?: boolean;
  maxFrames?: string;
}

function die(msg: string, code: number): never {
  process.stderr.write(`tcplab ui: ${msg}\n`);
  process.exit(code);
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('Open a Wireshark-like web UI on a capture file or a live capture')
    .option('-r <file>', 'capture file to open')
    .option('-i <iface>', 'capture live on this interface (tcpdump/dumpcap)')
    .option('-f <bpf>', 'capture filter for -i (BPF, tcpdump syntax)')
    .option('--port <port>', 'HTTP port (0 = any free port)', '8080')
    .option('--host <host>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .option('--with-echo-server', 'also run the echo server (tcplab serve) on --echo-port')
    .option('--echo-port <port>', 'echo server port for --with-echo-server', '6666')
    .option('--demo', "the lab scene: echo server on 6666 and a live capture of 'tcp port 6666' on lo")
    .option('--max-frames <n>', 'frames kept in memory (the oldest are dropped past it, with a notice)')
    .action(async (o: UiOptions) => {
      if (o.demo) {
        o.i ??= 'lo';
        o.f ??= `tcp port ${o.echoPort}`;
        o.withEchoServer = true;
      }
      if (o.r !== undefined && o.i !== undefined) die('use either -r FILE or -i IFACE, not both', EXIT_USAGE);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) die(`invalid --port ${o.port}`, EXIT_USAGE);
      const echoPort = Number(o.echoPort);
      if (!Number.isInteger(echoPort) || echoPort < 0 || echoPort > 65535) die(`invalid --echo-port ${o.echoPort}`, EXIT_USAGE);
      const maxFrames = o.maxFrames === undefined ? undefined : Number(o.maxFrames);
      if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= 10)) die(`invalid --max-frames ${o.maxFrames} (at least 10)`, EXIT_USAGE);
      if (o.host !== '127.0.0.1' && o.host !== '::1' && o.host !== 'localhost') {
        process.stderr.write(`tcplab ui: warning: listening on ${o.host}: anyone who can reach it can see the captured packets\n`);
      }
      const server = new UiServer({ host: o.host, port, files: o.r ? [o.r] : [], ...(maxFrames !== undefined ? { maxFrames } : {}) });
      if (o.r !== undefined) {
        try {
          await server.openFile(o.r);
        } catch (e) {
          die((e as Error).message, EXIT_USAGE);
        }
      }
      let echo: EchoServer | undefined;
      if (o.withEchoServer) {
        echo = new EchoServer({ port: echoPort });
        try {
          const l = await echo.start();
          process.stdout.write(`echo server listening on port ${l.port}\n`);
        } catch (e) {
          server.notices.push(`Echo server not started: ${(e as Error).message}`);
          echo = undefined;
        }
      }
      let url: string;
      try {
        url = await server.listen();
      } catch (e) {
        die(`cannot listen on ${o.host} port ${port}: ${(e as Error).message}`, EXIT_FAILURE);
      }
      if (o.i !== undefined) {
        const store = new FrameStore(`live: ${o.i}${o.f ? ` (${o.f})` : ''}`, maxFrames !== undefined ? { maxFrames } : {});
        try {
          const src = await startLiveCapture({ iface: o.i, ...(o.f !== undefined ? { bpf: o.f } : {}) });
          server.live = true;
          void server.attach(store, loadSource(store, src), () => src.stop());
          process.stdout.write(`capturing on ${o.i}${o.f ? ` (${o.f})` : ''}\n`);
        } catch (e) {
          const msg = (e as Error).message;
          server.notices.push(`Live capture unavailable: ${msg} — to enable it run tcplab as root, or grant tcpdump the capability: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)". You can still open capture files.`);
          process.stderr.write(`tcplab ui: live capture unavailable: ${msg}\n`);
        }
      }
      process.stdout.write(`tcplab ui: open ${url}\n`);
      if (echo) process.stdout.write(`try it: ./bin/tcplab connect 127.0.0.1 ${echoPort}   (or: telnet 127.0.0.1 ${echoPort})\n`);
      const stop = (): void => {
        void Promise.allSettled([server.close(), echo?.stop(500)]).then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
