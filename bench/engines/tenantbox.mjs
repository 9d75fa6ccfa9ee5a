// Engine 1: tenantbox itself, IsolatedRuntime at its default security level (STANDARD). `runtimeOptions`
// add to or override the defaults (the limits suite shortens the timeout; the "tenantbox-thread" engine
// keeps the worker pool in this process).
import { IsolatedRuntime } from "../../dist/index.js";
import { toolHandler } from "../workloads.mjs";

export async function create({ threads, runtimeOptions = {}, name = "tenantbox" }) {
  const runtime = new IsolatedRuntime({
    minThreads: threads,
    maxThreads: threads,
    toolHandler: (toolName, args) => toolHandler(toolName, args),
    ...runtimeOptions,
  });
  const isolation = runtime.options.isolation;
  const where =
    isolation === "process"
      ? "worker pool in a sandbox child process (isolation: process, the default)"
      : isolation === "thread"
        ? "worker pool in the host process (isolation: thread)"
        : "worker pool in the host process";
  return {
    name,
    description: `IsolatedRuntime, default security level (${runtime.options.securityLevel}), default options except the pool size; ${where}; tool calls: worker -> MessagePort -> main-thread toolHandler -> back${isolation === "process" ? " (through the sandbox process's IPC channel)" : ""}`,
    runtime,
    call: (request) => runtime.run(request),
    // For the first-call breakdown (measure.mjs firstCalls): the same call, with its stats.
    execute: (request) => runtime.execute(request),
    close: () => runtime.close(),
  };
}
