/**
 * A loader thread: compiles and checks tenant text off the host's main thread. Its own heap limit and the
 * pool's per-file deadline bound what one file can cost; nothing here runs tenant code.
 */
import { check, compile, type CheckInput, type CompiledVersion, type CompileInput } from "./compile.js";
import { walkGraph, type GraphWalkInput, type GraphWalkResult } from "./graph-walk.js";
import { walkModuleFiles, type WalkLimits } from "./module-files.js";
import type { ValidationResult } from "./issues.js";
import { workerData } from "node:worker_threads";
import type { LoaderThreadData } from "./loader-pool.js";
import { VersionStore } from "./version-store.js";
import { warmUpOnStart, warmUpRound } from "./warm-up.js";
import { installFastParser } from "./parse.js";
import { meriyahParserOf } from "./meriyah-parser.js";
import { parse as meriyahParse } from "meriyah";

export type LoaderTask = (
  | { op: "compile"; input: CompileInput }
  | { op: "check"; input: CheckInput }
  | { op: "graph"; input: GraphWalkInput }
  | { op: "list"; realFolder: string; limits: WalkLimits }
  | { op: "warm-up"; round: number }
) & {
  /** When this thread started the task (ms since the epoch): the deadline counts from then, not from a thread's start-up. */
  started: Float64Array;
};

const data = workerData as Partial<LoaderThreadData> | null;
const store = data?.store ? new VersionStore(data.store, data.store.share) : undefined;
installFastParser(meriyahParserOf(meriyahParse));
// Before the thread takes its first task (piscina waits for this module to load).
warmUpOnStart(data?.warmUp);

export default function runLoaderTask(task: LoaderTask): CompiledVersion | ValidationResult | GraphWalkResult | string[] | undefined {
  task.started[0] = Date.now();
  switch (task.op) {
    case "compile":
      return store ? store.compile(task.input, compile) : compile(task.input);
    case "check":
      return check(task.input);
    case "graph":
      return walkGraph(task.input);
    case "list":
      return walkModuleFiles(task.realFolder, task.limits).files;
    case "warm-up":
      warmUpRound(task.round);
      return undefined;
  }
}
