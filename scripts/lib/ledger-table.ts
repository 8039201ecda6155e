/** Creates the remediation ledger table in an emulator, with the key schema the stack deploys. */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates `name` (partition key `ledgerId`, on-demand) and returns its name. */
export async function createLedgerTable(dynamodb: DynamoDBClient, name = `eni-guard-ledger-${Date.now()}`): Promise<string> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'ledgerId', AttributeType: 'S' },
        { AttributeName: 'networkInterfaceId', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byInterface',
          KeySchema: [
            { AttributeName: 'networkInterfaceId', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['fixed'] },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}
