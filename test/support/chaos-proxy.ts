/**
 * A loopback proxy in front of moto that numbers every request a child process makes and, at a
 * chosen request, makes something go wrong the way production does — not an exception inside
 * the process, but the process dying or an endpoint disappearing:
 *
 * - `kill` / `before`: request k never reaches moto; the child is SIGKILLed as it sends it.
 * - `kill` / `after`: moto carries out request k and answers; the child is SIGKILLed before it
 *   reads the answer (the effect happened, the process never learned it).
 * - `drop` / `before` | `after`: from the service's request k on, every request of that service
 *   (`dynamodb`, `sns`, `ec2`, …) has its connection destroyed, before or after moto carried it
 *   out — the endpoint is gone for the rest of that run; the child lives and sees connection resets.
 *
 * Every request is recorded (service, action, status, whether moto saw it, and for mutating calls
 * the body and moto's answer), so a test can compare what was really done with what was recorded.
 *
 * moto cannot run Lambda functions here (no Docker): a Lambda `Invoke` is answered by `invoke`, which
 * runs the function another way (the harness runs the bundled revoker in a process of its own). It is
 * recorded as service `revoker`, action the request's `operation` — the call the ledger lists — with
 * status 200, or 500 when the function failed (nothing was carried out). Traps apply to it as to any
 * request: `kill` / `after` lets the function finish, then kills the child before it reads the answer.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionOf, endToEnd, serviceOf } from '../../scripts/bench/counting-proxy';

/** What to break, and when. `at` is 1-based: the k-th request overall (kill) or of `service` (drop). */
export type Trap =
  | { readonly effect: 'kill'; readonly at: number; readonly when: 'before' | 'after' }
  | { readonly effect: 'drop'; readonly service: string; readonly at: number; readonly when: 'before' | 'after' };

/** One request as the proxy saw it. */
export interface SeenRequest {
  /** 1-based, over the run. */
  readonly seq: number;
  readonly service: string;
  readonly action: string;
  /** Whether moto received it (and carried it out, if it answered 2xx). */
  readonly reachedMoto: boolean;
  /** moto's status; undefined when moto never answered. */
  readonly status?: number;
  /** Whether the child received the answer. */
  readonly delivered: boolean;
  readonly body: string;
  /** moto's answer body (for mutating calls: which ids were created). */
  readonly response?: string;
}

/** Runs a Lambda function the child invokes: its answer, or how it failed (`functionError`, with the error as `payload`). */
export type InvokeFunction = (
  functionName: string,
  payload: string,
) => Promise<{ readonly payload: string; readonly functionError?: boolean }>;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

/** A running proxy. */
export interface ChaosProxy {
  readonly endpoint: string;
  /** Arms a trap for the next run; `victim` kills the child (called at most once). */
  arm(trap: Trap | undefined, victim: () => void): void;
  /** The requests since the last `take()`, and forgets them. */
  take(): SeenRequest[];
  close(): Promise<void>;
}

/** Starts the proxy on a free port of 127.0.0.1 in front of `upstream` (moto); Lambda invocations go to `invoke`. */
export async function startChaosProxy(upstream: string, invoke?: InvokeFunction): Promise<ChaosProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let seen: SeenRequest[] = [];
  let seq = 0;
  const perService = new Map<string, number>();
  let trap: Trap | undefined;
  let victim: (() => void) | undefined;
  let dropping = false;

  const kill = () => {
    const v = victim;
    victim = undefined;
    v?.();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const invoked = invoke && serviceOf(req.headers) === 'lambda' ? INVOKE_PATH.exec(req.url ?? '')?.[1] : undefined;
      const service = invoked ? 'revoker' : serviceOf(req.headers);
      const action = invoked ? operationOf(text) : actionOf(req.headers, req.url ?? '/', text);
      const n = (seq += 1);
      const nth = (perService.get(service) ?? 0) + 1;
      perService.set(service, nth);
      const record = (entry: Omit<SeenRequest, 'seq' | 'service' | 'action' | 'body'>) =>
        seen.push({ seq: n, service, action, body: text, ...entry });

      const killHere = trap?.effect === 'kill' && trap.at === n ? trap.when : undefined;
      if (trap?.effect === 'drop' && trap.service === service && nth >= trap.at) dropping = true;
      const dropHere =
        trap?.effect === 'drop' && trap.service === service && dropping ? (nth === trap.at ? trap.when : 'before') : undefined;
      if (killHere === 'before' || dropHere === 'before') {
        record({ reachedMoto: false, delivered: false });
        if (killHere) kill();
        req.socket.destroy();
        return;
      }
      if (invoked && invoke) {
        void invoke(decodeURIComponent(invoked), text).then(
          (out) => {
            const status = out.functionError ? 500 : 200;
            const delivered = killHere !== 'after' && dropHere !== 'after';
            record({ reachedMoto: true, status, delivered, response: out.payload });
            if (!delivered) {
              if (killHere) kill();
              req.socket.destroy();
              return;
            }
            res.writeHead(200, {
              'content-type': 'application/json',
              ...(out.functionError ? { 'x-amz-function-error': 'Unhandled' } : {}),
            });
            res.end(out.payload);
          },
          (error: unknown) => {
            record({ reachedMoto: false, delivered: true });
            res.writeHead(502, { 'content-type': 'text/plain' }).end(`chaos proxy: ${String(error)}`);
          },
        );
        return;
      }
      const upstreamRequest = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
        (upstreamResponse) => {
          const parts: Buffer[] = [];
          upstreamResponse.on('data', (c: Buffer) => parts.push(c));
          upstreamResponse.on('end', () => {
            const answer = Buffer.concat(parts);
            const status = upstreamResponse.statusCode ?? 502;
            if (killHere === 'after' || dropHere === 'after') {
              record({ reachedMoto: true, status, delivered: false, response: answer.toString('utf8') });
              if (killHere) kill();
              req.socket.destroy();
              return;
            }
            record({ reachedMoto: true, status, delivered: true, response: answer.toString('utf8') });
            res.writeHead(status, endToEnd(upstreamResponse.headers));
            res.end(answer);
          });
        },
      );
      upstreamRequest.on('error', (error) => {
        record({ reachedMoto: false, delivered: true });
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`chaos proxy: ${error.message}`);
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
    arm(next, kill) {
      trap = next;
      victim = kill;
      dropping = false;
      seq = 0;
      perService.clear();
    },
    take() {
      const taken = seen.sort((a, b) => a.seq - b.seq);
      seen = [];
      return taken;
    },
    close() {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The operation a revocation request asks for (what the ledger lists), from the invocation's payload. */
function operationOf(payload: string): string {
  try {
    const operation = (JSON.parse(payload) as { operation?: unknown }).operation;
    return typeof operation === 'string' ? operation : 'Invoke';
  } catch {
    return 'Invoke';
  }
}
