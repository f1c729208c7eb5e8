/**
 * Stand-in Node echo server for the benchmark harness while `tcplab serve` is being built:
 * the plainest idiomatic Node echo (`socket.pipe(socket)`, which pauses reads while the write
 * side is full). It shows what Node does with no tuning, so a `tcplab serve` figure below it
 * points at overhead in the server, not at Node.
 *
 * usage: node dist/bench/echo/stand-in.js PORT [HOST]
 */
import { createServer } from 'node:net';

const port = Number(process.argv[2] ?? 6666);
const host = process.argv[3] ?? '127.0.0.1';
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.on('error', (e) => {
  process.stderr.write(`stand-in: ${e.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => process.stderr.write(`stand-in: listening on ${host}:${port}\n`));
