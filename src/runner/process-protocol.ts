import type { InvocationOutcome, InvocationTask, ToolReply, ToolRequest } from "./protocol.js";

/** Runtime -> sandbox process. */
export type HostToWorkerMessage =
  | { t: "init"; readyContexts: number; heapHeadroomMb: number }
  | { t: "run"; id: number; task: Omit<InvocationTask, "stopSlot"> }
  | { t: "tool-reply"; reply: ToolReply };

/** Sandbox process -> runtime. */
export type WorkerProcessMessage =
  | { t: "ready" }
  /** `retire`: this process holds too much to promise the next call its whole memory limit. */
  | { t: "result"; id: number; outcome: InvocationOutcome; retire?: boolean }
  | { t: "tool"; request: ToolRequest };
