/**
 * A loopback HTTP proxy in front of moto that forwards every request unchanged and records which
 * AWS API action it carried and how long the round trip took at the proxy (request received →
 * response sent). Point `AWS_ENDPOINT_URL` at it: it works for a bundled handler in a child process.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One API call seen by the proxy. */
export interface RecordedCall {
  /** Signing name from the SigV4 credential scope (`ec2`, `sns`, …), or `?`. */
  readonly service: string;
  /** `DescribeNetworkInterfaces`, `Publish`, … (`?` when the request named none). */
  readonly action: string;
  readonly status: number;
  /** Size of the request body (DynamoDB bills writes by item size). */
  readonly requestBytes: number;
  /** The request body of a DynamoDB call (its items say what the write is billed). */
  readonly body?: string;
  /** Request received → response sent, as the proxy saw it (moto's work plus one extra loopback hop). */
  readonly ms: number;
}

/** A running proxy. */
export interface CountingProxy {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Returns the calls recorded since the last `take()`, and forgets them. */
  take(): RecordedCall[];
  close(): Promise<void>;
}

/**
 * The API action of a request: `Action=` in a query-protocol form body (EC2, SNS, IAM, STS, …),
 * else the `X-Amz-Target` header (JSON protocols), else the Smithy RPC v2 path, else a known REST path, else `?`.
 */
export function actionOf(headers: IncomingHttpHeaders, url: string, body: string): string {
  const form = new URLSearchParams(body).get('Action') ?? new URL(url, 'http://x').searchParams.get('Action');
  if (form) return form;
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.length > 0) return target.slice(target.lastIndexOf('.') + 1);
  const rpc = /\/operation\/([^/?]+)/.exec(url)?.[1];
  return rpc ?? REST_ACTIONS[new URL(url, 'http://x').pathname] ?? '?';
}

/** REST-JSON operations the function calls (Security Hub names its operations by path). */
const REST_ACTIONS: Readonly<Record<string, string>> = {
  '/findings/import': 'BatchImportFindings',
  '/findings/batchupdate': 'BatchUpdateFindings',
};

/**
 * Drops hop-by-hop headers. moto (werkzeug) answers `Connection: close`; passed on, it would make the
 * SDK open a new connection per call, which AWS endpoints do not make it do (they keep alive).
 */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** The service a SigV4-signed request is for (its credential scope). */
export function serviceOf(headers: IncomingHttpHeaders): string {
  const authorization = headers['authorization'];
  return (typeof authorization === 'string' && /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1]) || '?';
}

/** Starts the proxy on a free port of 127.0.0.1, forwarding to `upstream` (`http://127.0.0.1:PORT`). */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error(`upstream must be loopback, got ${upstream}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let calls: RecordedCall[] = [];

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = actionOf(req.headers, req.url ?? '/', body.toString('utf8'));
      const service = serviceOf(req.headers);
      const upstreamRequest = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
        (upstreamResponse) => {
          res.writeHead(upstreamResponse.statusCode ?? 502, endToEnd(upstreamResponse.headers));
          upstreamResponse.pipe(res);
          res.on('finish', () =>
            calls.push({
              service,
              action,
              status: upstreamResponse.statusCode ?? 502,
              requestBytes: body.length,
              ...(service === 'dynamodb' ? { body: body.toString('utf8') } : {}),
              ms: performance.now() - started,
            }),
          );
        },
      );
      upstreamRequest.on('error', (error) => {
        calls.push({ service, action, status: 502, requestBytes: body.length, ms: performance.now() - started });
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`bench proxy: ${error.message}`);
      });
      upstreamRequest.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    close() {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
