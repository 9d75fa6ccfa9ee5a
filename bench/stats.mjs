// Summary statistics over latency samples (ms).

/** Sampling interval of the event-loop delay monitors (ms). */
export const LAG_RESOLUTION_MS = 10;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    p10: percentile(sorted, 10),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    min: sorted[0],
  };
}

/**
 * monitorEventLoopDelay histogram (ns) -> ms of lag. Node records the whole interval between two timer
 * ticks, resolution included, so the resolution is subtracted: 0 means the timer fired on time.
 */
export function summarizeHistogram(histogram, resolutionMs) {
  const ms = (ns) => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    n: histogram.count,
    mean: ms(histogram.mean),
    resolutionMs,
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
}
