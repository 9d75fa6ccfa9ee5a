// piscina worker of the floor engine: compile once, fresh context per call, nothing else.
import path from "node:path";
import vm from "node:vm";
import { sourceCache } from "./module-source.mjs";
import { workerToolClient } from "./tool-port.mjs";

const load = sourceCache();
const callTool = workerToolClient();
const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
const noRequire = (specifier) => {
  throw new Error(`require(${JSON.stringify(specifier)}) is not available`);
};

const compile = (filename) => (source) => ({
  script: new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename }),
});

export default async function run({ folder, file, funcName, args = [], context = null }) {
  const filename = path.join(folder, file);
  const { script } = load(filename, compile(filename));
  const sandbox = vm.createContext({ context, callTool, console: silent });
  const wrapper = script.runInContext(sandbox);
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, noRequire, module, filename, path.dirname(filename));
  const fn = funcName === "default" ? module.exports : module.exports[funcName];
  if (typeof fn !== "function") throw new Error(`no function ${funcName}`);
  const value = await fn(...args);
  return JSON.stringify(value);
}
