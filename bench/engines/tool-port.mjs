// The tool path of the vm2 and floor engines, built like tenantbox's: on its first tool call a worker
// opens a MessageChannel, hands one end to the main thread (piscina relays it as a pool "message"),
// and every call is a JSON request/reply over that port, answered by the same main-thread handler.
import { MessageChannel, parentPort } from "node:worker_threads";

export const TOOL_PORT = "bench:tool-port";

/** Worker side: returns callTool(name, args) -> Promise of the handler's JSON value. */
export function workerToolClient() {
  let port;
  let nextId = 1;
  const pending = new Map();
  return function callTool(name, args) {
    if (!port) {
      const channel = new MessageChannel();
      port = channel.port1;
      port.on("message", ({ id, ok, payload }) => {
        const settle = pending.get(id);
        pending.delete(id);
        if (settle) ok ? settle.resolve(payload === "" ? undefined : JSON.parse(payload)) : settle.reject(new Error(payload));
      });
      port.unref();
      parentPort.postMessage({ type: TOOL_PORT, port: channel.port2 }, [channel.port2]);
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      port.postMessage({ id, name: String(name), args: JSON.stringify(args) ?? "" });
    });
  };
}

/** Main-thread side: answers every port a pool's workers send with `handler(name, args)`. */
export function serveTools(piscina, handler) {
  piscina.on("message", (message) => {
    if (!message || message.type !== TOOL_PORT) return;
    const port = message.port;
    port.on("message", async ({ id, name, args }) => {
      try {
        const value = await handler(name, args === "" ? undefined : JSON.parse(args));
        port.postMessage({ id, ok: true, payload: JSON.stringify(value) ?? "" });
      } catch (error) {
        port.postMessage({ id, ok: false, payload: String(error?.message ?? error) });
      }
    });
    port.unref();
  });
}
