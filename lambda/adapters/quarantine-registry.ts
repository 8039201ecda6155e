/**
 * The quarantine groups eni-guard created, recorded in the ledger table (item key
 * `quarantine-group/<account>/<region>/<vpcId>`): only eni-guard's roles may write it, so a group
 * someone else created — whatever its tags or name — is never adopted as a quarantine.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Place, QuarantineRegistry } from '../app/ports';
import { wrap } from './errors';

/** The ledger-table key of a VPC's quarantine group record. */
export function quarantineKeyOf(place: Place, vpcId: string): string {
  return `quarantine-group/${place.account}/${place.region}/${vpcId}`;
}

/** `QuarantineRegistry` on the ledger table. */
export class DynamoQuarantineRegistry implements QuarantineRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recorded(place: Place, vpcId: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { ledgerId: { S: quarantineKeyOf(place, vpcId) } }, ConsistentRead: true }),
      );
      return out.Item?.['groupId']?.S;
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }

  async record(place: Place, vpcId: string, groupId: string): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ledgerId: { S: quarantineKeyOf(place, vpcId) },
            kind: { S: 'quarantine-group' },
            groupId: { S: groupId },
            vpcId: { S: vpcId },
            recordedAt: { S: this.now().toISOString() },
          },
        }),
      );
    } catch (error) {
      throw wrap('PutItem', error);
    }
  }
}
