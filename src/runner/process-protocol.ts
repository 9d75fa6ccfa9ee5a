import type { InvocationOutcome, InvocationTask, TaskModule, ToolReply, ToolRequest } from "./protocol.js";

/** A module as a run message carries it: without its source when the process already holds that version. */
export type SentModule = Omit<TaskModule, "source"> & { source?: string };

/** A task as it crosses to a sandbox process. */
export type SentTask = Omit<InvocationTask, "stopSlot" | "modules"> & { modules: SentModule[] };

/** Runtime -> sandbox process. */
export type HostToWorkerMessage =
  | { t: "init"; readyContexts: number; heapHeadroomMb: number }
  | { t: "run"; id: number; task: SentTask }
  | { t: "tool-reply"; reply: ToolReply };

/** Sandbox process -> runtime. */
export type WorkerProcessMessage =
  | { t: "ready" }
  /** `retire`: this process holds too much to promise the next call its whole memory limit. */
  | { t: "result"; id: number; outcome: InvocationOutcome; retire?: boolean }
  /** The run's modules sent without source that this process no longer holds (evicted): send them again. */
  | { t: "need"; id: number; hashes: string[] }
  | { t: "tool"; request: ToolRequest };
