/** Creates the remediation ledger table in an emulator, with the key schema the stack deploys. */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates `name` (partition key `ledgerId`, on-demand) and returns its name. */
export async function createLedgerTable(dynamodb: DynamoDBClient, name = `eni-guard-ledger-${Date.now()}`): Promise<string> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'ledgerId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}
