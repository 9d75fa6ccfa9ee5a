import { parentPort } from "node:worker_threads";
import { encode } from "./document-rules.js";
import { answerOf, type ThreadCall } from "./thread-calls.js";

/**
 * PostgreSQL's data:update merges on this thread (postgres-document-store.ts): the matched documents (up to
 * 200 of 64 KiB) are parsed, merged with the patch, written as JSON and measured here, never on the host's
 * main thread (invariant 8: 12 MiB of a tenant's documents, shaped to defeat V8's hidden classes, would
 * stall it for hundreds of milliseconds). The same shallow merge and checks as every store's (encode).
 */
parentPort!.on("message", (call: ThreadCall | "close") => {
  if (call === "close") {
    parentPort!.close();
    return;
  }
  try {
    const [texts, patch] = call.args as [string[], object];
    const merged = texts.map((text) => encode({ ...(JSON.parse(text) as object), ...patch }, "set"));
    parentPort!.postMessage({ id: call.id, value: { json: merged.map((m) => m.json), bytes: merged.map((m) => m.bytes) } });
  } catch (error) {
    parentPort!.postMessage(answerOf(call.id, error));
  }
});
