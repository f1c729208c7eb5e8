/**
 * Prometheus metrics of the echo server (prom-client), read from EchoServer.stats() at scrape
 * time: the data path pays nothing for them (no counter update per read).
 *
 *   tcplab_connections_open              gauge    connections open now
 *   tcplab_connections_total             counter  connections accepted
 *   tcplab_connections_refused_total     counter  refused at --max-connections
 *   tcplab_received_bytes_total          counter  bytes read from peers
 *   tcplab_sent_bytes_total              counter  bytes echoed back
 *   tcplab_connection_errors_total{code} counter  connections ended by RST or error, by errno code
 *   tcplab_accept_errors_total{code}     counter  failed accept() calls (EMFILE…)
 *   tcplab_backpressure_paused           gauge    connections paused now because the peer does not read
 *   + prom-client's default process metrics (tcplab_process_resident_memory_bytes, …)
 *
 * With --workers > 1 every worker registers these in prom-client's global registry and the
 * primary serves the sum over workers (prom-client's AggregatorRegistry asks them over the
 * cluster IPC channel at each scrape).
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics, register as globalRegistry, AggregatorRegistry } from 'prom-client';
import type { EchoServer, EchoServerStats } from './echo-server.js';

const PREFIX = 'tcplab_';

/** Registers the server's metrics (and the default process metrics) in `registry`. */
export function registerEchoMetrics(server: EchoServer, registry: Registry = globalRegistry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const counter = (name: string, help: string, read: (s: EchoServerStats) => number): void => {
    new Counter({
      name: PREFIX + name, help, registers: [registry],
      collect() { this.reset(); this.inc(read(server.stats())); },
    });
  };
  const byCode = (name: string, help: string, read: (s: EchoServerStats) => Record<string, number>): void => {
    new Counter({
      name: PREFIX + name, help, labelNames: ['code'], registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of Object.entries(read(server.stats()))) this.inc({ code }, n);
      },
    });
  };
  new Gauge({
    name: `${PREFIX}connections_open`, help: 'Connections open now', registers: [registry],
    collect() { this.set(server.stats().open); },
  });
  new Gauge({
    name: `${PREFIX}backpressure_paused`, help: 'Connections whose reads are paused because the peer is not reading', registers: [registry],
    collect() { this.set(server.stats().paused); },
  });
  counter('connections_total', 'Connections accepted', (s) => s.total);
  counter('connections_refused_total', 'Connections refused because --max-connections was reached', (s) => s.refused);
  counter('received_bytes_total', 'Bytes read from peers', (s) => s.bytesIn);
  counter('sent_bytes_total', 'Bytes echoed back to peers', (s) => s.bytesOut);
  byCode('connection_errors_total', 'Connections ended by RST or a socket error, by errno code', (s) => s.errors);
  byCode('accept_errors_total', 'Failed accept() calls (EMFILE, ENFILE, …), by errno code', (s) => s.acceptErrors);
}

/** Where metrics text comes from: one registry, or the sum over cluster workers. */
export type MetricsSource = () => Promise<{ contentType: string; body: string }>;

export function registrySource(registry: Registry = globalRegistry): MetricsSource {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

/**
 * In a cluster worker: answer the primary's metric requests with this process's global registry
 * (prom-client only starts listening once an AggregatorRegistry exists in the process).
 */
export function answerClusterMetricRequests(): void {
  void new AggregatorRegistry();
}

export function clusterSource(): MetricsSource {
  const agg = new AggregatorRegistry();
  return async () => ({ contentType: agg.contentType, body: await agg.clusterMetrics() });
}

/**
 * Serves GET /metrics (Prometheus text format) on host:port. Resolves with the bound port;
 * rejects with the listen error (EADDRINUSE…).
 */
export function startMetricsServer(source: MetricsSource, port: number, host: string | undefined): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    source().then(
      ({ contentType, body }) => { res.writeHead(200, { 'content-type': contentType }).end(body); },
      (e: unknown) => { res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${e instanceof Error ? e.message : String(e)}\n`); },
    );
  });
  // Scrapes are short; idle keep-alive sockets must not hold up shutdown.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}
