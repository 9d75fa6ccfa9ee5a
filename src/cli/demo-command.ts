import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { IsolatedRuntime, type RunRequest } from "../index.js";
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError } from "./args.js";
import { demoToolHandler } from "./demo-tools.js";
import { brief, formatLogs, sanitizeLine } from "./format.js";
import { usageOf } from "./usage.js";

interface DemoCall {
  title: string;
  tenant: string;
  request: Omit<RunRequest, "folder">;
  /** "ok", or the error code this call is meant to show. */
  expect: string;
}

const ORDER = {
  id: "A-1001",
  items: [
    { sku: "mug", price: 12.5, qty: 4 },
    { sku: "tee", price: 24, qty: 3 },
  ],
  discountCode: "VIP20",
};

const CALLS: DemoCall[] = [
  {
    title: "CommonJS hook, relative require and JSON data",
    tenant: "acme",
    request: { file: "hooks/orders.js", funcName: "onOrderCreated", args: [ORDER], context: { userId: "u-42" } },
    expect: "ok",
  },
  {
    title: "same hook, a rejected discount logs a warning",
    tenant: "acme",
    request: { file: "hooks/orders.js", funcName: "onOrderCreated", args: [{ id: "A-1002", items: [{ sku: "pen", price: 3, qty: 2 }], discountCode: "VIP20" }] },
    expect: "ok",
  },
  {
    title: "ES module default export with a relative import",
    tenant: "globex",
    request: { file: "rules.mjs", funcName: "default", args: [{ email: " Ada@Globex.example ", name: "ada LOVELACE", totalSpend: 3200, tags: ["B2B", "b2b", "eu"] }] },
    expect: "ok",
  },
  {
    title: "tool call: callTool(\"crm:lookup\") answered by the host",
    tenant: "globex",
    request: { file: "customers.js", funcName: "syncCustomer", args: [{ email: "ada@globex.example", name: "Ada Lovelace", totalSpend: 12000 }] },
    expect: "ok",
  },
  {
    title: "hostile: require(\"fs\")",
    tenant: "acme",
    request: { file: "hooks/misbehave.js", funcName: "readSecrets" },
    expect: "MODULE_NOT_FOUND",
  },
  {
    title: "hostile: infinite loop, 250 ms timeout",
    tenant: "acme",
    request: { file: "hooks/misbehave.js", funcName: "spin", timeout: 250 },
    expect: "TIMEOUT",
  },
  {
    title: "hostile: a path outside the tenant folder",
    tenant: "acme",
    request: { file: "../globex/rules.mjs", funcName: "default" },
    expect: "INVALID_REQUEST",
  },
];

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The examples folder: the argument, else ./examples/modules, else the one shipped next to dist/. */
function locateExamples(argument: string | undefined): string {
  if (argument !== undefined) {
    const folder = path.resolve(argument);
    if (!isDirectory(folder)) throw new UsageError(`${argument} is not a directory`);
    return folder;
  }
  const candidates = [path.resolve("examples/modules"), path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../examples/modules")];
  const found = candidates.find(isDirectory);
  if (!found) throw new UsageError("cannot find examples/modules; pass the examples folder");
  return found;
}

/** `tenantbox demo [examplesFolder]`: a few calls over the example tenants, request and result each. */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  if (values.help) {
    process.stdout.write(usageOf("demo"));
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError("demo takes at most one folder");
  const root = locateExamples(positionals[0]);
  for (const tenant of new Set(CALLS.map((call) => call.tenant))) {
    if (!isDirectory(path.join(root, tenant))) throw new UsageError(`${root} has no "${tenant}" tenant folder`);
  }

  const out = (text: string) => process.stdout.write(text);
  out(`tenantbox demo: ${CALLS.length} calls over ${sanitizeLine(root)}\n`);
  const runtime = new IsolatedRuntime({ minThreads: 1, maxThreads: 2, timeout: 2000, toolHandler: demoToolHandler });
  let unexpected = 0;
  try {
    for (const [index, call] of CALLS.entries()) {
      const { file, funcName, args = [], context, timeout } = call.request;
      out(`\n${index + 1}. ${call.title}\n`);
      let request = `   ${call.tenant}/${file} ${funcName}(${args.map((arg) => brief(arg, 140)).join(", ")})`;
      if (context !== undefined) request += ` context=${brief(context, 60)}`;
      if (timeout !== undefined) request += ` timeout=${timeout}`;
      out(sanitizeLine(request) + "\n");
      const result = await runtime.execute({ ...call.request, folder: path.join(root, call.tenant) });
      out(formatLogs(result.logs, "   "));
      const ms = `${result.stats.totalMs.toFixed(1)} ms`;
      if (result.success) out(`   -> ${brief(result.value)}  (${ms})\n`);
      else out(`   -> ${result.error!.code}: ${sanitizeLine(result.error!.message)}  (${ms})\n`);
      const outcome = result.success ? "ok" : result.error!.code;
      if (outcome !== call.expect) {
        unexpected++;
        out(`   !! expected ${call.expect}\n`);
      }
    }
  } finally {
    await runtime.close();
  }
  out(unexpected ? `\n${unexpected} call(s) did not go as expected\n` : "\nruntime closed; every call went as expected\n");
  return unexpected ? EXIT_FAILURE : EXIT_OK;
}
