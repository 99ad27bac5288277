import { Mitigation, RuleLevel, defineRule, nonCompliant, notApplicable } from '../../rule';
import { showValue } from '../../template/intrinsics';
import { T, isRecord, keyLockedStage, problem, rec, stageLabel, stageView } from '../helpers';
import { onWebSocketApi } from '../apigwv2/http-apis';

/**
 * REST and HTTP API stages write access logs. Peers: checkov CKV_AWS_76 (REST stage access logging),
 * CKV_AWS_95 (HTTP API stage access logging). Sources: CloudFormation AWS::ApiGateway::Stage
 * AccessLogSetting (DestinationArn), AWS::ApiGateway::Deployment StageDescription.AccessLogSetting,
 * AWS::ApiGatewayV2::Stage AccessLogSettings (DestinationArn).
 */
export const APIAccessLogging = defineRule({
  name: 'APIAccessLogging',
  level: RuleLevel.WARNING,
  levelReason: 'Access logs do not stop a flood; they are how it is investigated afterwards (which clients, which keys, which paths) and how the rate-based rule and the usage plans are tuned.',
  mitigation: Mitigation.ALARMS,
  resourceTypes: [T.STAGE, T.DEPLOYMENT, T.HTTP_STAGE],
  info: 'The REST or HTTP API stage writes no access logs (no AccessLogSetting / AccessLogSettings with a DestinationArn).',
  explanation: 'Metrics say that a stage is flooded; only access logs say by whom (source IP, API key, user agent, path) and with what result (429, 403, 5XX). Without them a flood cannot be told apart from a traffic spike, and the per-client limits cannot be set from evidence.',
  fix: 'Send the stage\'s access logs to a log group with a retention: CDK `deployOptions.accessLogDestination` (REST) or `accessLogSettings` (HTTP API stage), i.e. AccessLogSetting(s).DestinationArn.',
  check(model, id) {
    if (model.typeOf(id) === T.HTTP_STAGE) {
      if (onWebSocketApi(model, id)) return notApplicable('WebSocket API stage');
      const dest = rec(model.props(id).AccessLogSettings).DestinationArn;
      const label = `HTTP API stage ${id}`;
      if (dest !== undefined) return nonCompliant([], [`${label} access logs to ${showValue(dest)}`]);
      return nonCompliant([problem(`${label} AccessLogSettings.DestinationArn`, 'absent', 'a log group ARN for the access logs', 'set accessLogSettings on the stage')]);
    }
    const stage = stageView(model, id);
    if (!stage) return notApplicable('deployment that does not create a stage');
    const locked = keyLockedStage(model, stage);
    if (locked) return notApplicable(locked);
    const p = model.props(id);
    const setting = model.typeOf(id) === T.DEPLOYMENT ? rec(p.StageDescription).AccessLogSetting : p.AccessLogSetting;
    const dest = isRecord(setting) ? setting.DestinationArn : undefined;
    const label = stageLabel(stage);
    if (dest !== undefined) return nonCompliant([], [`${label} access logs to ${showValue(dest)}`]);
    return nonCompliant([problem(`${label} AccessLogSetting.DestinationArn`, 'absent', 'a log group ARN for the access logs', 'set deployOptions.accessLogDestination')]);
  },
});
