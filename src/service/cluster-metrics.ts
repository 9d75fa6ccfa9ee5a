import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const ASK = "tenantbox:metrics";
const ANSWER = "tenantbox:metrics-answer";
const TIMEOUT_MS = 5000;

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/**
 * In the primary of `serve --workers`: answers a worker's request for the metrics of every worker, summed
 * by prom-client's aggregator registry (each metric by its own aggregator), so /metrics is one answer
 * whichever worker a scrape reaches.
 */
export function answerClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id: message.id, contentType: aggregator.contentType, body }),
      (error: Error) => worker.send({ type: ANSWER, id: message.id, error: error.message }),
    );
  });
}

/** In a worker: reports `registry` to the primary's aggregator, and returns how to ask it for every worker's metrics. */
export function clusterMetrics(registry: Registry): () => Promise<RenderedMetrics> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's requests.
  new AggregatorRegistry();
  const waiting = new Map<number, (answer: RenderedMetrics | Error) => void>();
  let next = 0;
  process.on("message", (message: { type?: unknown; id?: unknown; contentType?: string; body?: string; error?: string }) => {
    if (message?.type !== ANSWER || typeof message.id !== "number") return;
    const settle = waiting.get(message.id);
    waiting.delete(message.id);
    settle?.(message.error !== undefined ? new Error(message.error) : { contentType: message.contentType!, body: message.body! });
  });
  return () =>
    new Promise<RenderedMetrics>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary did not answer with the metrics"));
      }, TIMEOUT_MS);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      });
      process.send!({ type: ASK, id });
    });
}
