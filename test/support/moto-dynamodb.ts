/**
 * DynamoDB's transactions are isolated; moto's are not. moto 5.2's `transact_write_items` snapshots
 * every table it touches (`copy.deepcopy`) before applying the items and, when any item fails,
 * puts the snapshots back — undoing every write another request made to those tables meanwhile.
 * The snapshot itself can also fail under a concurrent write (an HTML 500 page). A test that runs
 * concurrent workers against moto and counts what DynamoDB holds would then count moto's race, not
 * ours. `oneRequestAtATime` gives a client AWS's isolation back: its requests reach moto one after
 * the other (the workers still interleave between requests: conditions, conflicts and retries are
 * exercised as before).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function oneRequestAtATime(client: DynamoDBClient): DynamoDBClient {
  let queue: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => (args) => {
      const turn = queue.then(() => next(args));
      queue = turn.catch(() => undefined);
      return turn;
    },
    { step: 'finalizeRequest', name: 'oneRequestAtATime' },
  );
  return client;
}
