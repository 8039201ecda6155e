/**
 * The remediation ledger's table, as the stack defines it (lib/constructs/responder.ts; a test keeps the
 * two equal): for `eni-guard create-ledger` against a local endpoint, and for the tests.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_ACCOUNT_INDEX, LEDGER_INTERFACE_INDEX } from '../core/ledger';
import { wrap } from './errors';

/** How the table is used: a hub's (organization mode) also has the index by account. */
export interface LedgerTableOptions {
  readonly organization?: boolean;
}

/**
 * The CreateTable request for a ledger table named `name`: partition key `ledgerId`, the by-interface
 * index (and, for a hub, the by-account index), on demand.
 */
export function ledgerTableDefinition(name: string, options: LedgerTableOptions = {}): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'ledgerId', AttributeType: 'S' },
      { AttributeName: 'networkInterfaceId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
      ...(options.organization ? [{ AttributeName: 'account', AttributeType: 'S' as const }] : []),
    ],
    KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEDGER_INTERFACE_INDEX,
        KeySchema: [
          { AttributeName: 'networkInterfaceId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['fixed'] },
      },
      ...(options.organization
        ? [
            {
              IndexName: LEDGER_ACCOUNT_INDEX,
              KeySchema: [
                { AttributeName: 'account', KeyType: 'HASH' as const },
                { AttributeName: 'createdAt', KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' as const },
            },
          ]
        : []),
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** Creates the ledger table `name`; resolves to `created`, or `exists` when a table of that name is already there. */
export async function createLedgerTable(
  dynamodb: DynamoDBClient,
  name: string,
  options: LedgerTableOptions = {},
): Promise<'created' | 'exists'> {
  try {
    await dynamodb.send(new CreateTableCommand(ledgerTableDefinition(name, options)));
    return 'created';
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceInUseException') return 'exists';
    throw wrap('CreateTable', error);
  }
}
