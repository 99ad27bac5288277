/** Result of one load step at a fixed concurrency. */
export interface StepResult {
  /** Requests kept in flight during the step. */
  readonly concurrency: number;
  /** Seconds the step was measured for (after its warm-up). */
  readonly durationSeconds: number;
  /** Requests answered with 2xx during the measured window. */
  readonly ok: number;
  /** Requests answered with a status outside 2xx. */
  readonly non2xx: number;
  /** Connection errors and timeouts (no HTTP answer at all). */
  readonly errors: number;
  /** Good responses per second. */
  readonly throughputRps: number;
  /** Latency of good responses (ms). */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** (non2xx + errors) / all answers and errors; 0..1. */
  readonly errorRate: number;
  /** Requests completed during the warm-up before the measured window (not counted above). */
  readonly warmupRequests?: number;
  /** Count per HTTP status seen, e.g. { "200": 950, "503": 12 }. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Server resources sampled during this step, when a source was reachable. */
  readonly resources?: StepResources;
  /** True when the step was cut short (Ctrl-C); such a step is kept but not used for the knee. */
  readonly partial?: boolean;
}

/** Server resources seen during one step. */
export interface StepResources {
  /** Average CPU use of the process tree, in cores (1.0 = one core busy). */
  readonly cpuCores?: number;
  /** Peak resident memory of the process tree (MiB). */
  readonly peakRssMiB?: number;
  /** Peak GPU utilization over all GPUs (percent). */
  readonly gpuUtilizationPercent?: number;
  /** Peak GPU memory used over all GPUs (MiB). */
  readonly gpuMemoryMiB?: number;
}

/** How the knee was chosen, with the numbers. */
export interface KneeResult {
  /** The chosen concurrency (one of the measured steps). */
  readonly concurrency: number;
  /** Good responses per second at that concurrency. */
  readonly throughputRps: number;
  /** Highest throughput of any error-free step (the saturation throughput). */
  readonly saturationThroughputRps: number;
  /**
   * Parallelism the server appears to have, by Little's law: saturation throughput x the service
   * time (the lowest p50 of the steps up to the knee, where requests do not queue yet). Not bound
   * to the step grid.
   */
  readonly estimatedParallelism: number;
  /** Latency bound used (ms). */
  readonly latencyBoundMs: number;
  /** Minimum throughput gain a step needed over the previous one (0.1 = 10 %). */
  readonly minGain: number;
  /** Share of the perfect-scaling gain a step needed (0.25: doubling concurrency must add 25 %). */
  readonly minEfficiency: number;
  /** The rule, in words, and why the search stopped. */
  readonly rule: string;
  readonly stoppedBecause: string;
}

/** Latency of one payload file at concurrency 1 (input-size sensitivity). */
export interface PayloadSizeResult {
  readonly file: string;
  readonly bytes: number;
  readonly requests: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly errorRate: number;
}
