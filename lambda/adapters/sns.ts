/** SNS adapter: publishes an alert with per-protocol renderings and filterable attributes. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../core/alert';
import { fitToSns, messageOfAlert, snsBody, snsMessageBytes, type MessageFormat, type OutboundMessage } from '../core/alert-message';
import type { AlertPort, LogPort, MetricsPort } from '../app/ports';
import { alertPublishedMetric } from '../core/metrics';
import { wrap } from './errors';

/** Where a message goes once it is ready: a topic (or a decorator in front of one). */
export interface MessagePort {
  publishMessage(message: OutboundMessage): Promise<void>;
}

/** Options of `SnsAlertPublisher`. */
export interface SnsAlertPublisherOptions {
  /** Protocols of the alert topic that get the chat rendering instead of the JSON document. @default none */
  readonly format?: MessageFormat;
  /** A second topic, for chat only (Amazon Q Developer / AWS Chatbot): every message in the chat rendering. */
  readonly chatTopicArn?: string;
  /** Logs messages that had to be cut, in full (the record the message points to). */
  readonly log?: Pick<LogPort, 'warn' | 'error'>;
  /** Counts what was published (`AlertsPublished` by kind). @default none */
  readonly metrics?: MetricsPort;
}

const DOCUMENT_EVERYWHERE: MessageFormat = { chatProtocols: [] };
const CHAT_EVERYWHERE: MessageFormat = { chatProtocols: ['default'] };

/** Publishes alerts to one SNS topic (and its chat twin, when there is one). */
export class SnsAlertPublisher implements AlertPort, MessagePort {
  private readonly format: MessageFormat;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly options: SnsAlertPublisherOptions = {},
  ) {
    this.format = options.format ?? DOCUMENT_EVERYWHERE;
  }

  async publish(alert: Alert): Promise<void> {
    await this.publishMessage(messageOfAlert(alert));
  }

  async publishMessage(message: OutboundMessage): Promise<void> {
    await this.send(this.topicArn, message, this.format);
    this.options.metrics?.record([alertPublishedMetric(message.attributes['kind'])]);
    if (this.options.chatTopicArn) {
      try {
        await this.send(this.options.chatTopicArn, message, CHAT_EVERYWHERE);
      } catch (error) {
        // The alert topic has the message: chat is a second channel, and a retry would repeat the first.
        this.options.log?.error('chat notification not delivered', {
          topicArn: this.options.chatTopicArn,
          subject: message.subject,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private async send(topicArn: string, original: OutboundMessage, format: MessageFormat): Promise<void> {
    const message = fitToSns(original, format);
    if (message !== original) {
      this.options.log?.warn('alert shortened to fit SNS; the full document follows', {
        topicArn,
        bytes: snsMessageBytes(original, format),
        truncated: message.document.truncated,
        document: original.document,
      });
    }
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: message.subject,
          MessageStructure: 'json',
          Message: snsBody(message, format),
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        }),
      );
    } catch (error) {
      throw wrap('Publish', error);
    }
  }
}
