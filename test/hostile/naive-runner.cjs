// The NAIVE runner the hostile suite measures its cases against: what a developer writes first when told
// "run the tenant's module in node:vm". It is deliberately insecure. It runs in a child process with its own
// temp cwd and a planted secret, never in the test process.
//
//   node naive-runner.cjs <input.json>
//   input: { globalName, globalToken, timeoutMs, cases: [{ id, folder, file, source, funcName, args, context }] }
//   output (stdout, one JSON line): [{ id, output }] where output is everything the caller would see.
//
// (Sloppy-mode script on purpose: like most host code, its own frames are not strict.)
const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");
const { createRequire } = require("node:module");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
globalThis[input.globalName] = input.globalToken;

// A naive host logs what goes wrong, as Node itself would.
const hostLog = [];
process.on("unhandledRejection", (reason) => hostLog.push("unhandled: " + safeInspect(reason)));
process.on("uncaughtException", (error) => hostLog.push("uncaught: " + safeInspect(error)));

function safeInspect(value) {
  try {
    return util.inspect(value);
  } catch (error) {
    try {
      return "inspect threw: " + String(error && error.message);
    } catch {
      return "inspect threw";
    }
  }
}

async function runOne(c) {
  const logs = [];
  const module = { exports: {} };
  const filename = path.join(c.folder, c.file);
  const log = (...args) => logs.push(util.format(...args));
  const sandbox = {
    module,
    exports: module.exports,
    require: createRequire(filename),
    __filename: filename,
    __dirname: path.dirname(filename),
    console: { log, info: log, warn: log, error: log, debug: log, trace: log, dir: log, table: log, count: log, time: log, timeEnd: log, assert: log },
    setTimeout,
    setInterval,
    clearTimeout,
    clearInterval,
    queueMicrotask,
    structuredClone,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    callTool: async (name, args) => {
      if (name === "fail") throw new Error("host tool failure");
      if (name === "never") return new Promise(() => {});
      return { echoed: args };
    },
    context: c.context === undefined ? null : JSON.parse(JSON.stringify(c.context)),
  };
  let value;
  let error;
  try {
    vm.runInNewContext(c.source, sandbox, { filename, timeout: input.timeoutMs });
    const exported = module.exports;
    const fn = c.funcName === "default" && typeof exported === "function" ? exported : exported[c.funcName];
    const result = fn(...(c.args || []).map((a) => JSON.parse(JSON.stringify(a))));
    let timer;
    value = await Promise.race([
      Promise.resolve(result),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("naive runner: gave up waiting")), input.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  } catch (e) {
    error = e;
  }
  // Give timers and unhandled rejections of the case a moment, as a long-lived host would.
  await new Promise((r) => setTimeout(r, 20));
  let valueText;
  try {
    valueText = JSON.stringify(value);
  } catch (e) {
    valueText = "unserializable: " + safeInspect(value);
  }
  return { id: c.id, output: [valueText, error === undefined ? "" : safeInspect(error), ...logs, ...hostLog.splice(0)].join("\n") };
}

(async () => {
  const results = [];
  for (const c of input.cases) {
    try {
      results.push(await runOne(c));
    } catch (e) {
      results.push({ id: c.id, output: "runner failed: " + safeInspect(e) });
    }
  }
  process.stdout.write(JSON.stringify(results) + "\n", () => process.exit(0));
})();
