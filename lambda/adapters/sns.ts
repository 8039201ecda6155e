/** SNS adapter: publishes an alert with per-protocol renderings and filterable attributes. */
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Alert } from '../core/alert';
import type { AlertPort } from '../service';
import { wrap } from './errors';

/** Publishes alerts to one SNS topic. */
export class SnsAlertPublisher implements AlertPort {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const json = JSON.stringify(alert.document);
    // MessageStructure json: `default` is mandatory on AWS (moto is lenient; we are not).
    const message = { default: json, sqs: json, lambda: json, https: json, email: alert.text, 'email-json': json };
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: alert.subject,
          MessageStructure: 'json',
          Message: JSON.stringify(message),
          MessageAttributes: Object.fromEntries(
            Object.entries(alert.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        }),
      );
    } catch (error) {
      throw wrap('Publish', error);
    }
  }
}
