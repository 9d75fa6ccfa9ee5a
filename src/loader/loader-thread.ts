/**
 * A loader thread: compiles and checks tenant text off the host's main thread. Its own heap limit and the
 * pool's per-file deadline bound what one file can cost; nothing here runs tenant code.
 */
import { check, compile, type CheckInput, type CompiledVersion, type CompileInput } from "./compile.js";
import type { ValidationResult } from "./issues.js";

export type LoaderTask = ({ op: "compile"; input: CompileInput } | { op: "check"; input: CheckInput }) & {
  /** When this thread started the task (ms since the epoch): the deadline counts from then, not from a thread's start-up. */
  started: Float64Array;
};

export default function runLoaderTask(task: LoaderTask): CompiledVersion | ValidationResult {
  task.started[0] = Date.now();
  return task.op === "compile" ? compile(task.input) : check(task.input);
}
