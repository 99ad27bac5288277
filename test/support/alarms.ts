import { Template } from 'aws-cdk-lib/assertions';

/** The alarms of a template with their metric name and namespace, whether plain or labelled (Metrics[]) form. */
export function alarmsByMetric(template: Template): Array<{ id: string; metricName?: string; namespace?: string; props: Record<string, any> }> {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => {
    const p = a.Properties;
    const m = p.MetricName !== undefined ? p : p.Metrics?.find((x: any) => x.MetricStat)?.MetricStat?.Metric;
    return { id, metricName: m?.MetricName, namespace: m?.Namespace, props: p };
  });
}
