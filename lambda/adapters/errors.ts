/** Typed errors raised by adapters: the SDK's error shapes stop here. */

/** Error codes that mean "try again later" even when the SDK's own retries are spent. */
const TRANSIENT_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

/** An AWS API call failed after the SDK's own retries. `retryable` says whether a later attempt may succeed. */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.name = 'AwsCallError';
  }
}

/** The error code of an SDK exception (`name`, or `Code` on some EC2 errors). */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const candidate = (error as { Code?: unknown }).Code ?? (error as { code?: unknown }).code ?? (error as { name?: unknown }).name;
    if (typeof candidate === 'string') return candidate;
  }
  return 'UnknownError';
}

/** True for throttling, server faults, timeouts and connection resets. */
export function isTransient(error: unknown): boolean {
  if (error instanceof AwsCallError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return TRANSIENT_CODES.has(errorCode(error));
}

/** Wraps an SDK failure into an `AwsCallError` naming the operation. */
export function wrap(operation: string, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  return new AwsCallError(operation, errorCode(error), error instanceof Error ? error.message : String(error), isTransient(error), {
    cause: error,
  });
}
