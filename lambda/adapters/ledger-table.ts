/**
 * The remediation ledger's table, as the stack defines it (lib/constructs/responder.ts; a test keeps the
 * two equal): for `eni-guard create-ledger` against a local endpoint, and for the tests.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_INTERFACE_INDEX } from '../core/ledger';
import { wrap } from './errors';

/** The CreateTable request for a ledger table named `name`: partition key `ledgerId`, the by-interface index, on demand. */
export function ledgerTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'ledgerId', AttributeType: 'S' },
      { AttributeName: 'networkInterfaceId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
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
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** Creates the ledger table `name`; resolves to `created`, or `exists` when a table of that name is already there. */
export async function createLedgerTable(dynamodb: DynamoDBClient, name: string): Promise<'created' | 'exists'> {
  try {
    await dynamodb.send(new CreateTableCommand(ledgerTableDefinition(name)));
    return 'created';
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceInUseException') return 'exists';
    throw wrap('CreateTable', error);
  }
}
