/**
 * Handler environments for the benchmarks (a module the others import; run-all.ts skips it).
 */
import { HANDLER_ENV as ENV } from '../lib/queue/handler-env';
import { serviceStack } from '../test/support/stacks';

/**
 * The environment each handler starts with, as the construct sets it: read from the Lambda
 * functions of a synthesized service with a job queue (so a setting added to the construct reaches
 * this benchmark too). References to other resources (queue URL, table name, API key ids) become placeholders:
 * init only parses them.
 */
export function constructedHandlerEnvironments(): Record<'admission' | 'worker' | 'status' | 'reconciler', Record<string, string>> {
  const { template } = serviceStack({ jobQueue: {} });
  const common = { AWS_REGION: 'us-east-1' };
  const placeholder = (k: string, v: unknown) => (typeof v === 'string' ? v
    : k === ENV.queueUrl ? 'http://127.0.0.1:1/000000000000/q' : k === ENV.keyTiers ? '{}' : k.toLowerCase().replace(/^kig_/, '').replace(/_/g, '-'));
  const envOf = (marker: string) => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((r) => String(r.Properties?.Description ?? '').startsWith(marker));
    if (fns.length !== 1) throw new Error(`expected one Lambda function described "${marker}...", found ${fns.length}`);
    const vars = (fns[0].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    return { ...common, ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, placeholder(k, v)])) };
  };
  return { admission: envOf('Admits'), worker: envOf('Runs'), status: envOf('Returns'), reconciler: envOf('Settles') };
}

