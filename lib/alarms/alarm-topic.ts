import { aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props of `AlarmTopic`. */
export interface AlarmTopicProps {
  /**
   * Display name of the topic.
   * @default "Inference alarms"
   */
  readonly displayName?: string;
}

/** The SNS topic every alarm notifies. Publishing requires TLS (aws:SecureTransport). */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Inference alarms',
      enforceSSL: true,
    });
  }
}
