import type { InvocationOutcome, InvocationTask, ToolReply, ToolRequest } from "./protocol.js";

/** Runtime -> sandbox process. */
export type HostToWorkerMessage =
  | { t: "init"; readyContexts: number }
  | { t: "run"; id: number; task: Omit<InvocationTask, "stopSlot"> }
  | { t: "tool-reply"; reply: ToolReply };

/** Sandbox process -> runtime. */
export type WorkerProcessMessage =
  | { t: "ready" }
  | { t: "result"; id: number; outcome: InvocationOutcome }
  | { t: "tool"; request: ToolRequest };
