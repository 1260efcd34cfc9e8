// A loopback HTTP server that plays a hostile or broken firmware server at the socket level: it can hold back its
// headers, trickle them, send `102 Processing` for ever, ignore ranges and cut at chosen offsets, or drip a body for
// ever. Every behaviour is endless on its own, so a test that finishes proves one of the agent's bounds ended it.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HostileRequest {
  /** The request's `Range: bytes=N-` start, if it sent one. */
  rangeStart?: number;
}

export type Behaviour = (socket: Socket, request: HostileRequest, index: number) => void;

export class HostileServer {
  readonly requests: HostileRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(behaviour: Behaviour): Promise<HostileServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hostile = new HostileServer(server, `http://127.0.0.1:${port}/fw.bin`);
    server.on('connection', (socket) => {
      hostile.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => hostile.sockets.delete(socket));
      let head = '';
      const onData = (data: Buffer) => {
        head += data.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        const range = /^range: bytes=(\d+)-/im.exec(head);
        const request: HostileRequest = range ? { rangeStart: Number(range[1]) } : {};
        hostile.requests.push(request);
        behaviour(socket, request, hostile.requests.length - 1);
      };
      socket.on('data', onData);
    });
    return hostile;
  }

  /** Runs `tick` every `ms` until the socket closes or the server does. */
  every(socket: Socket, ms: number, tick: () => void): void {
    const timer = setInterval(() => {
      if (socket.destroyed) return this.clear(timer);
      tick();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private clear(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.timers.delete(timer);
  }
}

/** Accepts the request and never answers. */
export const silent: Behaviour = () => undefined;

/** `200 OK` headers, one byte at a time, never finished. */
export function trickledHeaders(server: () => HostileServer, everyMs: number): Behaviour {
  return (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nX-Padding: ');
    server().every(socket, everyMs, () => socket.write('a'));
  };
}

/** `102 Processing`, again and again, never the real response. */
export function endlessProcessing(server: () => HostileServer, everyMs: number): Behaviour {
  return (socket) => server().every(socket, everyMs, () => socket.write('HTTP/1.1 102 Processing\r\n\r\n'));
}

/** `informational` × `102 Processing`, then the whole body. */
export function processingThen(body: Buffer, informational: number): Behaviour {
  return (socket) => {
    for (let i = 0; i < informational; i++) socket.write('HTTP/1.1 102 Processing\r\n\r\n');
    socket.end(Buffer.concat([okHead(body.length), body]));
  };
}

/** Ignores Range: always `200` with the whole length, and destroys the connection after `cutAt(index)` body bytes. */
export function cutsAt(body: Buffer, cutAt: (index: number) => number): Behaviour {
  return (socket, _request, index) => {
    socket.write(Buffer.concat([okHead(body.length), body.subarray(0, cutAt(index))]), () => socket.destroy());
  };
}

/** Honours Range (206 with a strong ETag) and sends `bytesPerTick` every `everyMs`, for ever if the body is long enough. */
export function drip(server: () => HostileServer, body: Buffer, bytesPerTick: number, everyMs: number): Behaviour {
  return (socket, request) => {
    let offset = request.rangeStart ?? 0;
    const head =
      request.rangeStart === undefined
        ? okHead(body.length)
        : Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length - offset}\r\nContent-Range: bytes ${offset}-${body.length - 1}/${body.length}\r\nETag: "drip"\r\n\r\n`);
    socket.write(head);
    server().every(socket, everyMs, () => {
      if (offset >= body.length) return;
      socket.write(body.subarray(offset, offset + bytesPerTick));
      offset += bytesPerTick;
    });
  };
}

function okHead(length: number): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nETag: "drip"\r\nConnection: close\r\n\r\n`);
}
