/**
 * Scripted raw `net` peers for the client tests (ARCHITECTURE.md §2.6: scripted raw peers, 127.0.0.1
 * port 0, closed in after()). Each records what it saw: the client's source ports, the bytes it
 * received, and socket errors (ECONNRESET when the client aborts).
 */
import net from 'node:net';

export interface PeerConn {
  remotePort: number;
  received: Buffer[];
  errors: string[];
  sawEnd: boolean;
  closed: Promise<void>;
}

export interface Peer {
  port: number;
  conns: PeerConn[];
  /** Resolves with the first connection that ended (closed) */
  firstClosed(timeoutMs?: number): Promise<PeerConn>;
  close(): Promise<void>;
}

type Script = (s: net.Socket, c: PeerConn) => void;

/** Starts a peer on 127.0.0.1:0 that runs `script` on each connection. */
export async function startPeer(script: Script, opts: net.ServerOpts = {}): Promise<Peer> {
  const conns: PeerConn[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, ...opts }, (s) => {
    sockets.add(s);
    let done!: () => void;
    const c: PeerConn = {
      remotePort: s.remotePort ?? 0, received: [], errors: [], sawEnd: false,
      closed: new Promise<void>((r) => { done = r; }),
    };
    conns.push(c);
    s.on('error', (e: NodeJS.ErrnoException) => { c.errors.push(e.code ?? e.message); });
    s.on('end', () => { c.sawEnd = true; });
    s.on('close', () => { sockets.delete(s); done(); });
    script(s, c);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    conns,
    async firstClosed(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (conns.length === 0) {
        if (Date.now() > deadline) throw new Error('no connection reached the peer');
        await new Promise((r) => setTimeout(r, 10));
      }
      const c = conns[0] as PeerConn;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([c.closed, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('peer connection did not close')), Math.max(1, deadline - Date.now())); })]);
      clearTimeout(timer);
      return c;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** RFC 862 echo: everything back, FIN answered with FIN once the echo is flushed. */
export const echo: Script = (s, c) => {
  s.on('data', (d: Buffer) => { c.received.push(d); s.write(d); });
  s.on('end', () => s.end());
};

/** Collects `n` bytes without answering, then echoes them all at once (the client's ACKs are delayed). */
export function echoAfter(n: number): Script {
  return (s, c) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      c.received.push(d);
      got += d.length;
      if (got >= n) s.write(Buffer.concat(c.received));
    });
    s.on('end', () => s.end());
  };
}

/** Echoes nothing until the client's FIN, then everything, then FIN (proves reading after half-close). */
export const echoOnFin: Script = (s, c) => {
  s.on('data', (d: Buffer) => { c.received.push(d); });
  s.on('end', () => { s.end(Buffer.concat(c.received)); });
};

/** Echoes, but flips the byte at stream offset `at`. */
export function corruptAt(at: number): Script {
  return (s, c) => {
    let off = 0;
    s.on('data', (d: Buffer) => {
      c.received.push(d);
      const out = Buffer.from(d);
      if (at >= off && at < off + d.length) out[at - off] = (out[at - off] ?? 0) ^ 0xff;
      off += d.length;
      s.write(out);
    });
    s.on('end', () => s.end());
  };
}

/** Aborts with RST as soon as data arrives. */
export const resetOnData: Script = (s, c) => {
  s.on('data', (d: Buffer) => { c.received.push(d); s.resetAndDestroy(); });
};

/** Echoes the first byte of what it gets, then half-closes (FIN) and echoes nothing more. */
export const halfCloseEarly: Script = (s, c) => {
  s.once('data', (d: Buffer) => { c.received.push(d); s.end(d.subarray(0, 1)); });
};

/** Never reads: use with startPeer(neverRead, { pauseOnConnect: true }) so Node does not read either. */
export const neverRead: Script = () => undefined;
