import * as fs from 'fs';
import * as path from 'path';
import type { DraftProfile } from '../model/inspection';
import { InferenceProfile } from '../profile';
import { startServer, StartedServer, waitForFirstGoodResponse } from './cold-start';
import { findKnee } from './knee';
import { LoadTarget, ProbeResult, waitUntil } from './load';
import { Payload } from './payload';
import { StepRecorder } from './recorder';
import { ResourceSampler, ResourceSummary } from './resources';
import { round2 } from './stats';
import { KneeResult, PayloadSizeResult, StepResult } from './types';

/** Defaults of `kig profile`, documented in its --help. */
export const PROFILE_DEFAULTS = {
  concurrency: [1, 2, 4, 8, 16],
  stepSeconds: 10,
  /** Seconds per payload file in the input-size pass (at concurrency 1). */
  payloadSeconds: 3,
  startTimeoutSeconds: 300,
  requestTimeoutSeconds: 30,
} as const;

/** Warm-up before each step is measured: a fifth of the step, at most 1 s. */
export function warmupMsFor(stepSeconds: number): number {
  return Math.min(1_000, Math.round(stepSeconds * 200));
}

/** How a run ended. */
export type RunStatus = 'complete' | 'interrupted' | 'unreachable' | 'bad-response' | 'no-knee' | 'server-exited';

/** Options of `runProfile`. */
export interface ProfileRunOptions {
  readonly target: LoadTarget;
  /** Request bodies; the largest drives the stepped load (limits must hold for the largest request). */
  readonly payloads: readonly Payload[];
  readonly concurrency: readonly number[];
  readonly stepSeconds: number;
  /** Seconds per payload in the input-size pass. @default PROFILE_DEFAULTS.payloadSeconds (capped at stepSeconds) */
  readonly payloadSeconds?: number;
  /** @default - see findKnee */
  readonly latencyBoundMs?: number;
  /** @default - see findKnee */
  readonly minGain?: number;
  /** @default - see findKnee */
  readonly minEfficiency?: number;
  readonly model: string;
  readonly hardware: string;
  /** Request format, recorded in the profile. */
  readonly format: string;
  /** Server pid to sample. @default - the started server, if any */
  readonly pid?: number;
  /** Command that starts the server; the cold start is measured from its launch. */
  readonly startCmd?: string;
  /** @default PROFILE_DEFAULTS.startTimeoutSeconds */
  readonly startTimeoutSeconds?: number;
  readonly cwd: string;
  /** @default "nvidia-smi" */
  readonly nvidiaSmi?: string;
  readonly signal?: AbortSignal;
  /** The profile JSON is rewritten here after every step, so a crash or Ctrl-C keeps what was measured. */
  readonly outFile?: string;
  /** One line for the user (stderr). */
  readonly log?: (line: string) => void;
  /** Called while a step runs, about four times a second. */
  readonly onProgress?: (p: { phase: string; index: number; total: number; recorder: StepRecorder; seconds: number }) => void;
  /** Called when a step is done. */
  readonly onStep?: (step: StepResult, index: number, total: number) => void;
  /**
   * A draft from `kig inspect`: its largest request bounds maxRequestBytes from below and its
   * memory floor stands in for an unmeasured peak.
   * @default - none
   */
  readonly draft?: DraftProfile;
}

/** Everything a run measured. */
export interface MeasuredRun {
  readonly status: RunStatus;
  /** Why the run ended as it did, for the user. */
  readonly message: string;
  readonly steps: StepResult[];
  readonly knee?: KneeResult;
  readonly payloadSizes: PayloadSizeResult[];
  readonly resources: ResourceSummary;
  readonly coldStartSeconds?: number;
  readonly notes: string[];
  readonly measuredAt: string;
}

/** Everything a run measured, and the profile document written from it. */
export interface ProfileRun extends MeasuredRun {
  /** The profile, when a knee was found. */
  readonly profile?: InferenceProfile;
  /** The JSON document written to the output file. */
  readonly document: Record<string, unknown>;
}

function describeProbe(p: ProbeResult | undefined): string {
  if (!p) return 'no request was sent';
  if (p.kind === 'error') return `${p.code ? `${p.code}: ` : ''}${p.message}`;
  const body = p.body.replace(/\s+/g, ' ').trim();
  return `HTTP ${p.status}${body ? `: ${body.slice(0, 200)}${body.length > 200 ? '...' : ''}` : ''}`;
}

/**
 * Runs a profile: optional server start (cold start), a reachability check, the input-size pass
 * (each payload at concurrency 1), then the stepped-concurrency load; samples server resources
 * throughout; finds the knee and builds the profile document. Never throws for a server that is
 * down or misbehaves: the status says what happened and the document keeps what was measured.
 */
export async function runProfile(o: ProfileRunOptions): Promise<ProfileRun> {
  const log = o.log ?? (() => undefined);
  const measuredAt = new Date().toISOString();
  const notes: string[] = [];
  const steps: StepResult[] = [];
  const payloadSizes: PayloadSizeResult[] = [];
  const main = [...o.payloads].sort((a, b) => b.body.length - a.body.length)[0];
  let server: StartedServer | undefined;
  let coldStartSeconds: number | undefined;
  let status: RunStatus = 'complete';
  let message = '';
  // Replaced once the pid is known (a started server's); until then it only reports that
  // nothing was sampled.
  let sampler = new ResourceSampler({ pid: o.pid, nvidiaSmi: o.nvidiaSmi });

  const finish = (): ProfileRun => {
    sampler.stop();
    const clean = steps.filter((s) => !s.partial);
    const knee = findKnee(clean, { latencyBoundMs: o.latencyBoundMs, minGain: o.minGain, minEfficiency: o.minEfficiency });
    if (status === 'complete' && !knee) {
      status = 'no-knee';
      const first = [...clean].sort((a, b) => a.concurrency - b.concurrency)[0];
      message = first
        ? `no knee: the least loaded step (concurrency ${first.concurrency}) had error rate ${round2(first.errorRate * 100)} % and p99 ${first.latencyMs.p99} ms${o.latencyBoundMs !== undefined ? ` (bound ${o.latencyBoundMs} ms)` : ''}; fix the server errors or raise --latency-bound-ms`
        : 'no knee: no step completed';
    }
    const run = buildDocument({ o, status, message, steps, knee, payloadSizes, resources: sampler.summary(), coldStartSeconds, notes, measuredAt, mainPayload: main });
    if (o.outFile) writeJson(o.outFile, run.document);
    return run;
  };
  const checkpoint = () => {
    if (!o.outFile) return;
    const knee = findKnee(steps.filter((s) => !s.partial), { latencyBoundMs: o.latencyBoundMs, minGain: o.minGain, minEfficiency: o.minEfficiency });
    writeJson(o.outFile, buildDocument({ o, status: 'interrupted', message: 'run in progress or stopped before its end', steps, knee, payloadSizes, resources: sampler.summary(), coldStartSeconds, notes, measuredAt, mainPayload: main }).document);
  };

  try {
    // ---- start the server and measure the cold start --------------------------------------------
    if (o.startCmd) {
      const startedAt = performance.now();
      server = startServer(o.startCmd, o.cwd);
      log(`started: ${o.startCmd} (pid ${server.child.pid}); waiting for the first good response`);
      const cold = await waitForFirstGoodResponse(o.target, main.body, {
        startedAt, timeoutSeconds: o.startTimeoutSeconds ?? PROFILE_DEFAULTS.startTimeoutSeconds, signal: o.signal, server,
      });
      if (cold.kind === 'ready') {
        coldStartSeconds = cold.seconds;
        log(`cold start: ${cold.seconds} s to the first good response (${cold.attempts} attempts)`);
      } else if (cold.kind === 'aborted') {
        status = 'interrupted';
        message = `interrupted while waiting ${cold.seconds} s for the server to answer`;
        return finish();
      } else {
        status = cold.kind === 'exited' ? 'server-exited' : (cold.last?.kind === 'answer' ? 'bad-response' : 'unreachable');
        message = cold.kind === 'exited'
          ? `--start-cmd exited with code ${cold.code} after ${cold.seconds} s before a good response; last answer: ${describeProbe(cold.last)}; its output ends with: ${server.output().trim().slice(-400)}`
          : `no good response within --start-timeout-seconds ${o.startTimeoutSeconds ?? PROFILE_DEFAULTS.startTimeoutSeconds} from ${o.target.description}; last answer: ${describeProbe(cold.last)}`;
        return finish();
      }
    } else {
      // 429 and 503 say "busy, try again" (a previous run's requests may still be draining):
      // they get two more tries, half a second apart; any other answer is final.
      let probe = await o.target.probe(main.body, PROFILE_DEFAULTS.requestTimeoutSeconds * 1000);
      for (let retry = 0; retry < 2 && probe.kind === 'answer' && (probe.status === 429 || probe.status === 503) && !o.signal?.aborted; retry++) {
        await waitUntil(500, o.signal);
        probe = await o.target.probe(main.body, PROFILE_DEFAULTS.requestTimeoutSeconds * 1000);
      }
      if (probe.kind === 'error') {
        status = 'unreachable';
        message = `cannot reach ${o.target.description}: ${describeProbe(probe)}. Start the model server or fix --url / --sagemaker-endpoint`;
        return finish();
      }
      if (probe.status < 200 || probe.status >= 300) {
        status = 'bad-response';
        message = `${o.target.description} answered ${describeProbe(probe)} to ${path.basename(main.file)}. Check the payload fits the model's signature and the URL (--format, --model)`;
        return finish();
      }
    }

    // ---- resources ------------------------------------------------------------------------------
    const pid = o.pid ?? server?.child.pid;
    if (pid !== o.pid) sampler = new ResourceSampler({ pid, nvidiaSmi: o.nvidiaSmi });
    for (const line of await sampler.start()) {
      notes.push(line);
      log(line);
    }

    // ---- input-size sensitivity -----------------------------------------------------------------
    if (o.payloads.length > 1) {
      const seconds = Math.min(o.payloadSeconds ?? PROFILE_DEFAULTS.payloadSeconds, o.stepSeconds);
      const sorted = [...o.payloads].sort((a, b) => a.body.length - b.body.length);
      for (let i = 0; i < sorted.length && !o.signal?.aborted; i++) {
        const p = sorted[i];
        const rec = await o.target.runStep({
          concurrency: 1, durationSeconds: seconds, warmupMs: warmupMsFor(seconds), body: p.body, signal: o.signal,
          onTick: (r) => o.onProgress?.({ phase: `payload ${path.basename(p.file)}`, index: i, total: sorted.length, recorder: r, seconds }),
        });
        const r = rec.result();
        payloadSizes.push({ file: p.file, bytes: p.body.length, requests: r.ok, latencyMs: { p50: r.latencyMs.p50, p99: r.latencyMs.p99 }, errorRate: r.errorRate });
        log(`payload ${p.file} (${p.body.length} bytes): p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, errors ${round2(r.errorRate * 100)} %`);
      }
    }

    // ---- stepped concurrency --------------------------------------------------------------------
    const warmupMs = warmupMsFor(o.stepSeconds);
    for (let i = 0; i < o.concurrency.length && !o.signal?.aborted; i++) {
      const c = o.concurrency[i];
      sampler.beginStep();
      const rec = await o.target.runStep({
        concurrency: c, durationSeconds: o.stepSeconds, warmupMs, body: main.body, signal: o.signal,
        onTick: (r) => o.onProgress?.({ phase: `concurrency ${c}`, index: i, total: o.concurrency.length, recorder: r, seconds: o.stepSeconds }),
      });
      const resources = sampler.endStep();
      const interrupted = o.signal?.aborted === true;
      const result: StepResult = { ...rec.result(), ...(resources ? { resources } : {}), ...(interrupted ? { partial: true } : {}) };
      if (interrupted && result.ok + result.non2xx + result.errors === 0) break;
      steps.push(result);
      o.onStep?.(result, i, o.concurrency.length);
      checkpoint();
    }
    if (o.signal?.aborted) {
      status = 'interrupted';
      message = `interrupted after ${steps.filter((s) => !s.partial).length} of ${o.concurrency.length} steps; the steps measured so far were kept`;
    } else {
      const failing = steps.filter((s) => s.errorRate > 0);
      if (failing.length) {
        const worst = failing[failing.length - 1];
        notes.push(`errors at concurrency ${failing.map((s) => s.concurrency).join(', ')}: ${Object.entries(worst.statusCounts).map(([k, v]) => `HTTP ${k} x${v}`).join(', ')}${worst.errors ? `, ${worst.errors} connection errors or timeouts` : ''}`);
      }
    }
    return finish();
  } finally {
    sampler.stop();
    o.target.close();
    if (server) await server.stop();
  }
}

function writeJson(file: string, doc: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written to a temporary file and renamed, so a reader never sees half a profile.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function measured(d: DocumentInput): MeasuredRun {
  const { o: _o, mainPayload: _p, ...run } = d;
  return run;
}

interface DocumentInput extends MeasuredRun {
  readonly o: ProfileRunOptions;
  readonly mainPayload: Payload;
}

/**
 * Builds the profile document: InferenceProfile.toJson() plus the raw measurements (`steps`,
 * `knee`, `resources`, `payloadSizes`) and, in `extra`, the run status and which profile fields
 * were not measured and what was written instead.
 */
function buildDocument(d: DocumentInput): ProfileRun {
  const { o } = d;
  const estimated: Record<string, string> = {};
  const largestPayload = Math.max(...o.payloads.map((p) => p.body.length));
  // The model's largest valid request (from the draft) is the request size the limits must admit.
  const maxRequestBytes = Math.max(largestPayload, o.draft?.maxRequestBytes ?? 0);
  const extra: Record<string, unknown> = {
    status: d.status,
    ...(d.message ? { message: d.message } : {}),
    target: o.target.description,
    format: o.format,
    loadPayload: { file: d.mainPayload.file, bytes: d.mainPayload.body.length },
    stepSeconds: o.stepSeconds,
    concurrencyPlan: [...o.concurrency],
    notes: d.notes,
    ...(o.draft ? { draft: { file: o.draft.file, maxRequestBytes: o.draft.maxRequestBytes, largestPayloadBytes: largestPayload, hostFloorMiB: o.draft.hostFloorMiB, gpuFloorMiB: o.draft.gpuFloorMiB }, signature: o.draft.signature } : {}),
  };
  const raw = {
    steps: d.steps,
    knee: d.knee ?? null,
    resources: d.resources,
    payloadSizes: d.payloadSizes,
  };
  let profile: InferenceProfile | undefined;
  const kneeStep = d.knee ? d.steps.find((s) => s.concurrency === d.knee!.concurrency && !s.partial) : undefined;
  if (d.knee && kneeStep) {
    const peakRss = d.resources.process.peakRssMiB;
    const hostFloor = o.draft?.hostFloorMiB !== undefined ? Math.max(1, Math.ceil(o.draft.hostFloorMiB)) : undefined;
    if (peakRss === undefined) estimated.peakHostMemoryMiB = `not measured (${d.resources.process.reason ?? 'no samples'}); written as ${hostFloor !== undefined ? `${hostFloor}, the model's memory floor from the draft` : '1'} - pass --pid or --start-cmd to measure it`;
    const gpuMem = d.resources.gpu.peakMemoryMiB;
    if (gpuMem === undefined) estimated.peakGpuMemoryMiB = `not measured (${d.resources.gpu.reason ?? 'no samples'}); written as 0`;
    if (d.coldStartSeconds === undefined) estimated.coldStartSeconds = 'not measured (no --start-cmd); written as 0';
    extra.estimated = estimated;
    const lat = kneeStep.latencyMs;
    // The profile format requires latencies > 0: a sub-10-microsecond answer is written as 0.01 ms.
    const pos = (n: number) => Math.max(0.01, n);
    profile = InferenceProfile.of({
      model: o.model,
      hardware: o.hardware,
      latencyMs: { p50: pos(lat.p50), p90: pos(lat.p90), p99: pos(lat.p99) },
      sustainableConcurrency: d.knee.concurrency,
      throughputPerInstanceRps: Math.max(0.001, d.knee.throughputRps),
      peakHostMemoryMiB: peakRss !== undefined ? Math.max(1, Math.ceil(peakRss)) : hostFloor ?? 1,
      peakGpuMemoryMiB: gpuMem !== undefined ? Math.ceil(gpuMem) : 0,
      coldStartSeconds: d.coldStartSeconds ?? 0,
      maxRequestBytes,
      provenance: {
        tool: 'kig profile',
        measuredAt: d.measuredAt,
        notes: `${o.target.description}; ${o.format} format; steps ${d.steps.map((s) => s.concurrency).join(',')} x ${o.stepSeconds} s; knee by rule: ${d.knee.rule}`
          + `${Object.keys(estimated).length ? `; not measured: ${Object.keys(estimated).join(', ')} (see extra.estimated)` : ''}`
          + `${d.status !== 'complete' ? `; PARTIAL (${d.status})` : ''}`,
      },
    });
    return { ...measured(d), profile, document: { ...profile.toJson(), ...raw, extra } };
  }
  return { ...measured(d), document: { schemaVersion: 1, model: o.model, hardware: o.hardware, ...raw, extra } };
}
