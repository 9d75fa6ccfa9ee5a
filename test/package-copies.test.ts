// The package ships several bundles, each with its own copy of RuntimeError: dist/index.js and index.cjs (the
// library's ESM and CommonJS builds), dist/service.js and service.cjs, and the command line's dist/cli-main.js.
// A process may load more than one of them: an ES module application whose tool module is CommonJS, a service
// whose tool handler imports RuntimeError from "tenantbox" (not "tenantbox/service"), a `tenantbox run --tools`
// module (the CLI's bundle runs it; it imports the library's). A tool handler's refusal and a caller's
// `instanceof RuntimeError` must not depend on which copy each side imported. They build nothing: `npm test`
// builds first.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IsolatedRuntime, RuntimeError } from "../dist/index.js";
import { parseConfig, RuntimeError as ServiceRuntimeError, signToken, TenantboxServer } from "../dist/service.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CjsRuntimeError: typeof RuntimeError = createRequire(import.meta.url)(path.join(ROOT, "dist", "index.cjs")).RuntimeError;
const SECRET = "tenantbox-package-copies-secret-0123456789";

let temp: string;
let folder: string;

beforeAll(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-copies-"));
  folder = path.join(temp, "acme");
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, "crm.js"), 'exports.lookup = (name) => callTool(name, { email: "ada@acme.example" });\n');
});

afterAll(() => {
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

describe("RuntimeError across the package's bundles", () => {
  it("the copies are distinct classes, and each recognises the others' errors (a subclass keeps the ordinary test)", () => {
    expect(CjsRuntimeError).not.toBe(RuntimeError);
    expect(ServiceRuntimeError).not.toBe(RuntimeError);
    const fromCjs = new CjsRuntimeError("PERMISSION_DENIED", "no");
    expect(fromCjs instanceof RuntimeError).toBe(true);
    expect(fromCjs instanceof ServiceRuntimeError).toBe(true);
    expect(new RuntimeError("TIMEOUT", "t") instanceof CjsRuntimeError).toBe(true);
    expect(fromCjs instanceof Error).toBe(true);
    // Not a RuntimeError: an Error with a code, a plain object shaped like one, nothing at all.
    expect(Object.assign(new Error("x"), { code: "PERMISSION_DENIED" }) instanceof RuntimeError).toBe(false);
    expect({ code: "PERMISSION_DENIED", message: "x" } instanceof RuntimeError).toBe(false);
    const notObjects: unknown[] = [null, "PERMISSION_DENIED"];
    for (const value of notObjects) expect(value instanceof RuntimeError).toBe(false);
    class Refusal extends RuntimeError {}
    expect(new Refusal("PERMISSION_DENIED", "x") instanceof RuntimeError).toBe(true);
    expect(fromCjs instanceof Refusal).toBe(false);
  });

  it("an error prints as a RuntimeError from every copy (the bundler renames the class _RuntimeError)", () => {
    for (const Copy of [RuntimeError, CjsRuntimeError, ServiceRuntimeError]) {
      const error = new Copy("TIMEOUT", "too slow");
      expect(Copy.name).toBe("RuntimeError");
      expect(error.constructor.name).toBe("RuntimeError");
      expect(inspect(error).split("\n")[0]).toBe("RuntimeError: too slow");
      expect(String(error)).toBe("RuntimeError: too slow");
    }
  });

  it("a tool handler's refusal made with the CommonJS build's RuntimeError is the refusal, not TOOL_ERROR; other codes stay TOOL_ERROR", async () => {
    const runtime = new IsolatedRuntime({
      maxThreads: 1,
      toolHandler: (name) => {
        if (name === "deny") throw new CjsRuntimeError("PERMISSION_DENIED", "the host refuses");
        if (name === "slow") throw new CjsRuntimeError("RATE_LIMITED", "slow down");
        // A handler cannot end a call as anything but a refusal, whichever copy made the error.
        throw new CjsRuntimeError("TIMEOUT", "not the handler's to say");
      },
    });
    try {
      const denied = await runtime.execute({ folder, file: "crm.js", funcName: "lookup", args: ["deny"] });
      expect(denied.success).toBe(false);
      expect(denied.error).toMatchObject({ code: "PERMISSION_DENIED", message: "the host refuses" });
      const limited = await runtime.execute({ folder, file: "crm.js", funcName: "lookup", args: ["slow"] });
      expect(limited.error).toMatchObject({ code: "RATE_LIMITED", message: "slow down" });
      const other = await runtime.execute({ folder, file: "crm.js", funcName: "lookup", args: ["other"] });
      expect(other.error).toMatchObject({ code: "TOOL_ERROR", name: "ToolError", message: "not the handler's to say" });
      // The runtime's own rejection is a RuntimeError to every copy.
      const rejected = await runtime.run({ folder, file: "crm.js", funcName: "missing" }).catch((error: unknown) => error);
      expect(rejected instanceof CjsRuntimeError).toBe(true);
      expect(rejected instanceof ServiceRuntimeError).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 60_000);

  it("tenantbox run --tools: a tool module that refuses with the library's RuntimeError ends the call with its code", () => {
    const tools = path.join(temp, "tools.mjs");
    fs.writeFileSync(
      tools,
      `import { RuntimeError } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "index.js")).href)};\n` +
        'export default (name) => { throw new RuntimeError("PERMISSION_DENIED", `no ${name} for you`); };\n',
    );
    const result = spawnSync(process.execPath, [path.join(ROOT, "dist", "cli.js"), "run", folder, "crm.js", "lookup", '"crm:lookup"', "--tools", tools], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(1);
    const report = JSON.parse(result.stderr.trim().split("\n").at(-1)!);
    expect(report).toMatchObject({ code: "PERMISSION_DENIED", message: "no crm:lookup for you" });
  }, 60_000);

  it("the service: a platform tool that refuses with RuntimeError from \"tenantbox\" (not \"tenantbox/service\") answers 403 PERMISSION_DENIED", async () => {
    const server = new TenantboxServer({
      root: temp,
      config: parseConfig({ tenants: [{ id: "acme", tier: "free", permissions: ["tool:crm:lookup"], tools: { "crm:lookup": {} } }] }),
      dataDir: path.join(temp, "data"),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
      logger: false,
    });
    server.tool("crm:lookup", {
      handler: (_args, { tenantId }) => {
        throw new RuntimeError("PERMISSION_DENIED", `EU tenants only, not ${tenantId}`);
      },
    });
    try {
      const base = await server.listen({ port: 0, host: "127.0.0.1" });
      const token = await signToken(SECRET, { tenantId: "acme" });
      const reply = await fetch(`${base}/v1/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ file: "crm.js", funcName: "lookup", args: ["crm:lookup"] }),
      });
      const body = (await reply.json()) as { error: unknown };
      expect(reply.status, JSON.stringify(body)).toBe(403);
      expect(body.error).toMatchObject({ code: "PERMISSION_DENIED", message: "EU tenants only, not acme" });
    } finally {
      await server.close();
    }
  }, 60_000);
});
