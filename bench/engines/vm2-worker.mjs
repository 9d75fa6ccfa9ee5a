// piscina worker of the vm2 engine: a new NodeVM per call.
import path from "node:path";
import { NodeVM } from "vm2";
import { sourceCache } from "./module-source.mjs";
import { workerToolClient } from "./tool-port.mjs";

const load = sourceCache();
const callTool = workerToolClient();

export default async function run({ folder, file, funcName, args = [], context = null }) {
  const filename = path.join(folder, file);
  const { source } = load(filename);
  const vm = new NodeVM({
    console: "off",
    require: { external: false, builtin: [] },
    sandbox: { context, callTool },
    wrapper: "commonjs",
  });
  const exported = vm.run(source, filename);
  const fn = funcName === "default" ? exported : exported[funcName];
  if (typeof fn !== "function") throw new Error(`no function ${funcName}`);
  const value = await fn(...args);
  return JSON.stringify(value);
}
