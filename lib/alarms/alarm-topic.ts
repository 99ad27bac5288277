import { aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecurityPosture, postureOf } from '../security/security-posture';
import { acknowledgeUnlessRegulated } from '../security/compliance';

/** Props of `AlarmTopic`. */
export interface AlarmTopicProps {
  /**
   * Display name of the topic.
   * @default "Inference alarms"
   */
  readonly displayName?: string;
  /**
   * Security posture: the regulated one encrypts the topic with its customer-managed key (whose
   * policy lets CloudWatch alarms publish).
   * @default SecurityPosture.standard()
   */
  readonly security?: SecurityPosture;
}

/** The SNS topic every alarm notifies. Publishing requires TLS (aws:SecureTransport). */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const security = postureOf(props.security, this);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Inference alarms',
      enforceSSL: true,
      masterKey: security.encryptionKey(this),
    });
    acknowledgeUnlessRegulated(security, this.topic, 'SNSEncryptedKMS',
      'The alarm topic carries only alarm state changes (alarm name, metric, threshold), never request or model data; SNS encrypts it at rest with the AWS managed key',
      'encrypts it with the customer-managed key');
  }
}
