/**
 * The AWS behaviour the drill models, as named constants with their sources. Values no AWS source
 * settles are marked as assumptions: the drill prints each one it used in its report.
 */

/**
 * WAF evaluates a rate-based rule's count "about every 10 seconds", independent of the window.
 * Source: WAF API Reference, RateBasedStatement.EvaluationWindowSec
 * (botocore wafv2 service-2.json, "WAF checks the rate about every 10 seconds").
 */
export const WAF_CHECK_INTERVAL_S = 10;

/**
 * Delay from the check that finds an aggregation instance over its limit to the first blocked
 * request. AWS documents only that requests may come in too fast "for up to several minutes before
 * AWS WAF detects and rate limits them" (waf-rule-statement-type-rate-based-caveats.html): no
 * typical figure is published. ASSUMPTION: 30 s (override with `wafBlockDelaySeconds`).
 */
export const WAF_BLOCK_DELAY_ASSUMED_S = 30;

/**
 * Delay before WAF stops blocking once the rate drops: "Usually, this delay is below 30 seconds"
 * (waf-rule-statement-type-rate-based-caveats.html).
 */
export const WAF_UNBLOCK_DELAY_S = 30;

/**
 * Standard CloudWatch metrics of SageMaker variants, ALB target groups and ECS services are
 * one-minute datapoints (endpoint-auto-scaling-policy.html: "invocations per instance per minute";
 * Application Auto Scaling TargetTrackingScalingPolicyConfiguration.TargetValue: "during any
 * one-minute interval").
 */
export const METRIC_PERIOD_S = 60;

/**
 * How long after its minute a datapoint reaches the alarm. Not published. ASSUMPTION: 60 s.
 */
export const METRIC_DELAY_ASSUMED_S = 60;

/**
 * Datapoints the alarms of a target-tracking policy need. AWS says only that Application Auto
 * Scaling "creates and manages" them (target-tracking-scaling-policy-overview.html). ASSUMPTION,
 * from user reports (hashicorp/terraform-provider-aws #42553): AlarmHigh 3 of 3 one-minute
 * datapoints, AlarmLow 15 of 15 at 90 % of the target.
 */
export const ALARM_HIGH_DATAPOINTS_ASSUMED = 3;
export const ALARM_LOW_DATAPOINTS_ASSUMED = 15;
export const ALARM_LOW_FRACTION_ASSUMED = 0.9;

/**
 * Default target-tracking cooldowns of SageMaker variants and ECS services: 300 s
 * (API_TargetTrackingScalingPolicyConfiguration.html, "a default value of 300").
 */
export const DEFAULT_COOLDOWN_S = 300;

/** API Gateway account-level throttle per Region: 10,000 rps, bucket of 5,000 (apigateway limits.html). */
export { APIGW_ACCOUNT_BURST_LIMIT, APIGW_ACCOUNT_RATE_LIMIT_RPS } from '../../core/aws-limits';

/**
 * The assumptions every drill states, whatever the template (the template-specific ones are added
 * where they are used).
 */
export const BASE_ASSUMPTIONS: readonly string[] = [
  'API Gateway throttles are modelled as exact token buckets (AWS applies them "on a best-effort basis ... targets rather than guaranteed request ceilings": api-gateway-request-throttling.html), in the documented order: usage plan per key and method, usage plan per key, stage method, stage default, account',
  'the API key is checked before any token is taken; whether requests refused by authorization or blocked by WAF use stage or account tokens is not documented: they are assumed not to',
  `WAF rate-based rules count every request of an aggregation instance over the window, blocked ones included, checking about every ${WAF_CHECK_INTERVAL_S} s (WAF API Reference); blocking starts ${WAF_BLOCK_DELAY_ASSUMED_S} s after the check that finds the instance over its limit (not published: "up to several minutes") and stops ${WAF_UNBLOCK_DELAY_S} s after the count falls under it ("usually below 30 seconds")`,
  `target tracking: one-minute metrics reaching the alarm ${METRIC_DELAY_ASSUMED_S} s after their minute, AlarmHigh on ${ALARM_HIGH_DATAPOINTS_ASSUMED} of ${ALARM_HIGH_DATAPOINTS_ASSUMED} datapoints and AlarmLow on ${ALARM_LOW_DATAPOINTS_ASSUMED} of ${ALARM_LOW_DATAPOINTS_ASSUMED} under ${ALARM_LOW_FRACTION_ASSUMED * 100} % of the target (user reports; AWS does not document the datapoints)`,
  'a new instance or task serves after the profile\'s cold start (coldStartSeconds) from the scale-out decision (provisioning time is not published per instance type)',
  'the backend serves at the profile\'s throughput per instance with its measured latency percentiles; work it cannot start before the model-server timeout is refused at once (a bounded batch queue), and a request whose wait plus service time passes the integration timeout is a 504',
  'a heavy request (largest valid body, largest batch) costs p99/p50 of the profile\'s median request in backend time',
  'clients do not retry; every legitimate client holds its own API key of the top usage-plan tier and its own IP address; traffic arrives as Poisson streams (the seed fixes the draws)',
];
