import type { PoolOptions } from "./pool.js";
import type { InvocationOutcome, InvocationTask, ToolReply, ToolRequest } from "./protocol.js";

/** Runtime -> sandbox process. */
export type HostMessage =
  | { t: "init"; options: Omit<PoolOptions, "onToolRequest"> }
  | { t: "run"; id: number; task: Omit<InvocationTask, "stopSlot">; timeoutMs: number }
  | { t: "tool-reply"; key: string; reply: ToolReply }
  | { t: "close" };

/** Sandbox process -> runtime. */
export type PoolHostMessage =
  | { t: "ready" }
  | { t: "result"; id: number; outcome: InvocationOutcome }
  | { t: "tool"; key: string; request: ToolRequest };
