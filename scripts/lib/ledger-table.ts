/** Creates the remediation ledger table in an emulator, with the key schema the stack deploys. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTable as create, type LedgerTableOptions } from '../../lambda/adapters/ledger-table';

/** Creates `name` (default: a fresh name) and returns its name. */
export async function createLedgerTable(
  dynamodb: DynamoDBClient,
  name = `eni-guard-ledger-${Date.now()}`,
  options: LedgerTableOptions = {},
): Promise<string> {
  await create(dynamodb, name, options);
  return name;
}
