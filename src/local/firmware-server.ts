// A loopback HTTP firmware server that behaves like S3 behind a presigned URL, for the MQTT fleet, the agent's tests
// and its benchmark: strong ETags, single-range GETs (RFC 9110 §14.2), If-Range (§13.1.5), 206 / 200 / 416, and
// expiring signed URLs answered with 403 like S3. Fault knobs let tests play the attacker or a bad network.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FirmwareServerFaults {
  /** Send bodies at this rate (the slow-retrieval attack). */
  bytesPerSecond?: number;
  /**
   * Destroy the connection after this many body bytes of the response; asked once per GET with the object's size,
   * the body's length and the URL's query (a fleet adds who is asking there, to cut per device).
   */
  cutAfter?: (request: { path: string; rangeStart: number; size: number; bodyBytes: number; query: URLSearchParams }) => number | undefined;
  /** Answer every GET with 200, no Content-Length, and bytes past the object's end forever (the endless-data attack). */
  endless?: boolean;
}

export interface ServedRequest {
  path: string;
  status: number;
  rangeStart?: number;
  ifRange?: string;
  bytesSent: number;
}

interface StoredObject {
  bytes: Buffer;
  etag: string;
  lastModified: string;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

export class FirmwareServer {
  readonly faults: FirmwareServerFaults = {};
  readonly requests: ServedRequest[] = [];
  private readonly objects = new Map<string, StoredObject>();
  private readonly secret = randomBytes(32);
  private generation = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly now: () => number,
  ) {}

  static async start(options: { host?: string; port?: number; now?: () => number } = {}): Promise<FirmwareServer> {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const firmware = new FirmwareServer(server, `http://${host}:${port}`, options.now ?? Date.now);
    server.on('request', (request, response) => firmware.handle(request, response));
    return firmware;
  }

  /** Stores (or replaces) an object; a replacement gets a new ETag, as a new S3 object version would. */
  put(path: string, bytes: Buffer): { etag: string } {
    const normalised = path.startsWith('/') ? path : `/${path}`;
    this.generation += 1;
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    const etag = `"${digest}-${this.generation}"`;
    this.objects.set(normalised, { bytes, etag, lastModified: new Date(this.now()).toUTCString() });
    return { etag };
  }

  /** A URL for the object; with `expiresAt` (epoch ms) it is signed and stops working then, like a presigned URL. */
  url(path: string, options: { expiresAt?: number } = {}): string {
    const normalised = path.startsWith('/') ? path : `/${path}`;
    if (options.expiresAt === undefined) return `${this.origin}${normalised}`;
    const expires = String(Math.floor(options.expiresAt));
    return `${this.origin}${normalised}?X-Expires=${expires}&X-Signature=${this.sign(normalised, expires)}`;
  }

  /** Body bytes sent for one path across every request (what a client made the server send, re-sends included). */
  bytesSent(path?: string): number {
    return this.requests.filter((request) => path === undefined || request.path === path).reduce((sum, request) => sum + request.bytesSent, 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sign(path: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('hex');
  }

  private authorised(url: URL): boolean {
    const expires = url.searchParams.get('X-Expires');
    const signature = url.searchParams.get('X-Signature');
    if (expires === null && signature === null) return true;
    if (expires === null || signature === null) return false;
    const expected = Buffer.from(this.sign(url.pathname, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) && this.now() < Number(expires);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.origin);
    const record: ServedRequest = { path: url.pathname, status: 0, bytesSent: 0 };
    this.requests.push(record);
    const finish = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      record.status = status;
      response.writeHead(status, headers);
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405, { Allow: 'GET, HEAD' });
    if (!this.authorised(url)) return finish(403, { 'Content-Type': 'application/xml' }, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    const object = this.objects.get(url.pathname);
    if (!object) return finish(404, { 'Content-Type': 'application/xml' }, '<Error><Code>NoSuchKey</Code></Error>');

    const size = object.bytes.length;
    const common = { ETag: object.etag, 'Last-Modified': object.lastModified, 'Accept-Ranges': 'bytes' };
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = request.headers.range;
    const ifRange = request.headers['if-range'] as string | undefined;
    if (ifRange !== undefined) record.ifRange = ifRange;
    // If-Range with a validator that no longer matches means "send me the whole new thing" (RFC 9110 §13.1.5).
    const rangeApplies = range !== undefined && (ifRange === undefined || ifRange === object.etag) && !this.faults.endless;
    if (rangeApplies) {
      const match = RANGE.exec(range.trim());
      if (match && (match[1] !== '' || match[2] !== '')) {
        if (match[1] === '') {
          start = Math.max(0, size - Number(match[2]));
        } else {
          start = Number(match[1]);
          if (match[2] !== '') end = Math.min(end, Number(match[2]));
        }
        record.rangeStart = start;
        if (start >= size || start > end) return finish(416, { ...common, 'Content-Range': `bytes */${size}` });
        status = 206;
      }
    }
    const headers: Record<string, string | number> = { ...common, 'Content-Type': 'application/octet-stream' };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    if (!this.faults.endless) headers['Content-Length'] = end - start + 1;
    record.status = status;
    response.writeHead(status, headers);
    if (request.method === 'HEAD') return void response.end();

    const body = object.bytes.subarray(start, end + 1);
    const cutAfter = this.faults.cutAfter?.({ path: url.pathname, rangeStart: start, size, bodyBytes: body.length, query: url.searchParams });
    if (cutAfter === undefined && this.faults.bytesPerSecond === undefined && !this.faults.endless) {
      record.bytesSent = body.length;
      return void response.end(body);
    }
    void this.stream(response, body, record, cutAfter);
  }

  /** The slow path, for fault injection: paced writes, a cut at a byte offset, or data without end. */
  private async stream(response: ServerResponse, body: Buffer, record: ServedRequest, cutAfter: number | undefined): Promise<void> {
    const rate = this.faults.bytesPerSecond;
    const chunkSize = rate === undefined ? 64 * 1024 : Math.max(1, Math.floor(rate / 10));
    const pause = rate === undefined ? 0 : (chunkSize / rate) * 1000;
    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    const limit = cutAfter ?? Number.POSITIVE_INFINITY;
    let offset = 0;
    while (!closed) {
      let chunk = offset < body.length ? body.subarray(offset, offset + chunkSize) : this.faults.endless ? randomBytes(chunkSize) : undefined;
      if (chunk === undefined) break;
      if (record.bytesSent + chunk.length > limit) chunk = chunk.subarray(0, limit - record.bytesSent);
      if (chunk.length > 0) {
        await new Promise<void>((resolve) => response.write(chunk, () => resolve()));
        record.bytesSent += chunk.length;
        offset += chunk.length;
      }
      if (record.bytesSent >= limit) {
        response.socket?.destroy();
        return;
      }
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    if (!closed) response.end();
  }
}
