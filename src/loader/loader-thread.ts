/**
 * A loader thread: compiles and checks tenant text off the host's main thread. Its own heap limit and the
 * pool's per-file deadline bound what one file can cost; nothing here runs tenant code.
 */
import { check, compile, type CheckInput, type CompiledVersion, type CompileInput } from "./compile.js";
import { walkGraph, type GraphWalkInput, type GraphWalkResult } from "./graph-walk.js";
import type { ValidationResult } from "./issues.js";
import { workerData } from "node:worker_threads";
import { warmUpOnStart, type WarmUpShare } from "./warm-up.js";

export type LoaderTask = ({ op: "compile"; input: CompileInput } | { op: "check"; input: CheckInput } | { op: "graph"; input: GraphWalkInput }) & {
  /** When this thread started the task (ms since the epoch): the deadline counts from then, not from a thread's start-up. */
  started: Float64Array;
};

// Before the thread takes its first task (piscina waits for this module to load).
warmUpOnStart((workerData as { warmUp?: WarmUpShare } | null)?.warmUp);

export default function runLoaderTask(task: LoaderTask): CompiledVersion | ValidationResult | GraphWalkResult {
  task.started[0] = Date.now();
  switch (task.op) {
    case "compile":
      return compile(task.input);
    case "check":
      return check(task.input);
    case "graph":
      return walkGraph(task.input);
  }
}
