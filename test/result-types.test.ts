import { expect, it } from "vitest";
import type { ExecuteResult, HookResult, HookTarget } from "../dist/index.js";
import { cleanupTenants, makeRuntime, makeTenant } from "./helpers.js";

/** Checked by the typecheck (npm test runs tsc): after a success check, error and value need no `!`. */
function describeResult(result: ExecuteResult | HookResult): string {
  if (!result.success) return `${result.error.code}: ${result.error.message}`;
  return `ok ${JSON.stringify(result.value)}`;
}

it("ExecuteResult and HookResult narrow on success; HookTarget is exported", async () => {
  const runtime = makeRuntime({ maxThreads: 1 });
  try {
    const folder = makeTenant({
      "tenantbox.json": JSON.stringify({ hooks: { ping: ["a.js#ok", "a.js#boom"] } }),
      "a.js": "exports.ok = () => 1;\nexports.boom = () => { throw new TypeError('no'); };",
    });
    expect(describeResult(await runtime.execute({ folder, file: "a.js", funcName: "ok" }))).toBe("ok 1");
    expect(describeResult(await runtime.execute({ folder, file: "a.js", funcName: "boom" }))).toBe("RUNTIME_ERROR: no");
    const targets: HookTarget[] = await runtime.handlers("ping", folder);
    expect(targets).toEqual([{ file: "a.js", funcName: "ok" }, { file: "a.js", funcName: "boom" }]);
    expect((await runtime.emit("ping", null, { folder })).map(describeResult)).toEqual(["ok 1", "RUNTIME_ERROR: no"]);
  } finally {
    await runtime.close();
    cleanupTenants();
  }
});

it("rawValue: the value as its JSON text (JsonText), never parsed on the host; failures and undefined as without it", async () => {
  const { JsonText } = await import("../dist/index.js");
  const runtime = makeRuntime({ maxThreads: 1 });
  try {
    const folder = makeTenant({
      "a.js": "exports.v = () => ({ n: 1.5, s: 'é\\u2028\"', list: [1, null, { deep: true }] });\nexports.none = () => undefined;\nexports.boom = () => { throw new Error('no'); };",
    });
    const raw = await runtime.execute({ folder, file: "a.js", funcName: "v", rawValue: true });
    expect(raw.value).toBeInstanceOf(JsonText);
    const text = (raw.value as InstanceType<typeof JsonText>).text;
    expect(JSON.parse(text)).toEqual(await runtime.run({ folder, file: "a.js", funcName: "v" }));
    expect(text).toBe(JSON.stringify({ n: 1.5, s: 'é\u2028"', list: [1, null, { deep: true }] }));
    const none = await runtime.execute({ folder, file: "a.js", funcName: "none", rawValue: true });
    expect(none.success && "value" in none).toBe(false);
    const boom = await runtime.execute({ folder, file: "a.js", funcName: "boom", rawValue: true });
    expect(boom.error?.code).toBe("RUNTIME_ERROR");
  } finally {
    await runtime.close();
    cleanupTenants();
  }
});
