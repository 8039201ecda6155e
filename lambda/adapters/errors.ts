/** Typed errors raised by adapters: the SDK's error shapes stop here. */

/** An AWS API call failed after the SDK's own retries. */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.name = 'AwsCallError';
  }
}

/** The error code of an SDK exception (`name`, or `Code` on some EC2 errors). */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const candidate = (error as { name?: unknown; Code?: unknown }).Code ?? (error as { name?: unknown }).name;
    if (typeof candidate === 'string') return candidate;
  }
  return 'UnknownError';
}

/** Wraps an SDK failure into an `AwsCallError` naming the operation. */
export function wrap(operation: string, error: unknown): AwsCallError {
  return new AwsCallError(operation, errorCode(error), error instanceof Error ? error.message : String(error), { cause: error });
}
