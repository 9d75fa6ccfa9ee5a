import { exhaustionCases } from "./cases/exhaustion.js";
import { hostileFamily } from "./harness.js";

// Exhaustion: time, memory (heap and array buffers), output, logs, timers, tools and iterations.
// The runtime allows 3 s so heap bombs meet the 32 MiB heap limit first; other cases run with 500 ms.
hostileFamily("exhaustion", exhaustionCases, {
  runtime: { timeout: 3000, memoryLimitMb: 32 },
  defaultLimitMs: 500,
  variants: { iterations: { maxIterations: 100_000 }, roomy: { memoryLimitMb: 256 } },
});
