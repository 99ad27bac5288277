import { App } from 'aws-cdk-lib';

/** Further apps the synth benchmark times: [label, builder]. Backends register theirs here. */
export const EXTRA_BUILDERS: Array<[string, () => App]> = [];
