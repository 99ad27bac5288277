#!/usr/bin/env node
// The default app that `cdk synth` runs: the SageMaker real-time GPU example with every rule pack applied.
import { buildApp } from '../examples/sagemaker-realtime-gpu/app';

buildApp().synth();
