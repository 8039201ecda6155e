/** Messages the warm runner (runner-child.ts, in a child process) writes on fd 3, one JSON object a line. */

/** Sent once, after the bundle was imported (the Lambda init phase). */
export interface ReadyMessage {
  readonly type: 'ready';
  /** Time to `import()` the bundle, in the child. */
  readonly initMs: number;
  /** Peak RSS so far, KiB. */
  readonly maxRssKb: number;
}

/** Sent after each event, in order. */
export interface ResultMessage {
  readonly type: 'result';
  /** Wall time of `await handler(event)`. */
  readonly ms: number;
  /** CPU time (user + system) the process spent during it. */
  readonly cpuMs: number;
  /** Peak RSS of the process so far, KiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKb: number;
  readonly ok: boolean;
  /** The handler's result, or the error text. */
  readonly result?: unknown;
  readonly error?: string;
}

/** Sent when the bundle cannot be loaded. */
export interface FatalMessage {
  readonly type: 'fatal';
  readonly error: string;
}

/** Anything the runner writes. */
export type RunnerMessage = ReadyMessage | ResultMessage | FatalMessage;
