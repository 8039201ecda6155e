/** Typed errors raised by adapters: the SDK's error shapes stop here, as the ports' `AwsCallError`. */
import { AwsCallError, errorCode, isTransient } from '../app/ports';

/** Wraps an SDK failure into an `AwsCallError` naming the operation. */
export function wrap(operation: string, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  return new AwsCallError(operation, errorCode(error), error instanceof Error ? error.message : String(error), isTransient(error), {
    cause: error,
  });
}
