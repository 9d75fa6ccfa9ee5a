// Engine 1: tenantbox itself, IsolatedRuntime at its default security level (STANDARD).
import { IsolatedRuntime } from "../../dist/index.js";
import { toolHandler } from "../workloads.mjs";

export const description =
  "IsolatedRuntime, default security level (STANDARD), default options except the pool size; tool calls: worker -> MessagePort -> main-thread toolHandler -> back";

export async function create({ threads, runtimeOptions = {} }) {
  const runtime = new IsolatedRuntime({
    minThreads: threads,
    maxThreads: threads,
    toolHandler: (name, args) => toolHandler(name, args),
    ...runtimeOptions,
  });
  return {
    name: "tenantbox",
    runtime,
    call: (request) => runtime.run(request),
    close: () => runtime.close(),
  };
}
