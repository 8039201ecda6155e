/** Typed errors raised by adapters: the SDK's error shapes stop here, as the ports' `AwsCallError`. */
import { AwsCallError, errorCode, isTransient } from '../app/ports';

/** Wraps an SDK failure into an `AwsCallError` naming the operation. */
export function wrap(operation: string, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  return new AwsCallError(operation, errorCode(error), error instanceof Error ? error.message : String(error), isTransient(error), {
    cause: error,
  });
}

/** One item a batch API reported failed, with the service's code and message. */
export interface FailedItem<T> {
  readonly item: T;
  readonly code: string;
  readonly message: string;
}

/**
 * Sends a batch, then again only the items the service reported failed with a transient code
 * (throttling, internal errors: the SDK does not retry those, the call itself succeeded), up to
 * `attempts` sends in all, with a short backoff. Returns what still failed.
 */
export async function sendWithPartialRetries<T>(
  items: readonly T[],
  send: (batch: readonly T[]) => Promise<FailedItem<T>[]>,
  options: { readonly attempts?: number; readonly backoffMs?: number } = {},
): Promise<FailedItem<T>[]> {
  const attempts = options.attempts ?? 3;
  const permanent: FailedItem<T>[] = [];
  let pending: readonly T[] = items;
  for (let attempt = 1; ; attempt++) {
    const failed = await send(pending);
    permanent.push(...failed.filter((f) => !isTransient({ name: f.code })));
    const transient = failed.filter((f) => isTransient({ name: f.code }));
    if (transient.length === 0 || attempt >= attempts) return [...permanent, ...transient];
    await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 100) * 2 ** (attempt - 1)));
    pending = transient.map((f) => f.item);
  }
}
