// Peak resident set size of this whole process (main thread and every worker thread): sampled from
// process.memoryUsage().rss every 50 ms, and the kernel's own high-water mark (getrusage maxRSS).
export function startRssSampler(intervalMs = 50) {
  let peak = process.memoryUsage().rss;
  const baseline = peak;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, intervalMs);
  timer.unref();
  return {
    baseline,
    stop() {
      clearInterval(timer);
      const rss = process.memoryUsage().rss;
      if (rss > peak) peak = rss;
      return { baselineMb: baseline / 2 ** 20, peakMb: peak / 2 ** 20, kernelMaxMb: process.resourceUsage().maxRSS / 1024 };
    },
  };
}
