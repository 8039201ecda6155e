/** The alert topic: KMS-encrypted, TLS-only, with optional e-mail subscribers. */
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props of `AlertTopic`. */
export interface AlertTopicProps {
  /** Customer-managed key that encrypts messages at rest. */
  readonly encryptionKey: kms.IKey;
  /** Addresses subscribed by e-mail (each must confirm). @default none */
  readonly emails?: readonly string[];
}

/** Where eni-guard's alerts are published. */
export class AlertTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'eni-guard alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
