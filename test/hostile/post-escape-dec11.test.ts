import { spawn } from "node:child_process";
import fs from "node:fs";
import type net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FrameChannel } from "../../src/runner/frame-channel.js";
import { missingOsLayers, sandboxLaunch } from "../../src/runner/sandbox-os.js";
import { parseConfig, TenantboxServer } from "../../dist/service.js";
import { cleanupTenants, makeRuntime, makeTenant, safeJson } from "../helpers.js";
import { removeTempDirs, SECRET, tempDir, writeTenants } from "../service-helpers.js";

/*
 * Red team dec11, post-escape: a sandbox process that code broke out of the realm in, talking to a real
 * runtime. The pool's processes are started with the very launch it uses (sandboxLaunch: the same OS layer),
 * only with an attacker's code in place of the worker's (post-escape-dec11-process.cjs): a call's first
 * argument is the script it runs with the process's own powers and the runtime's channel.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const COMPROMISED = path.join(HERE, "post-escape-dec11-process.cjs");

type Runtime = ReturnType<typeof makeRuntime>;

/** A runtime whose sandbox processes run the attacker's code (started as the pool starts its own). */
function compromisedRuntime(options: Parameters<typeof makeRuntime>[0] = {}): Runtime {
  const rt = makeRuntime({ maxThreads: 1, minThreads: 0, timeout: 1000, ...options });
  const pool = (rt as unknown as { pool: { launch: unknown } }).pool;
  pool.launch = sandboxLaunch(COMPROMISED, { memoryLimitMb: 64, heapHeadroomMb: 32 });
  return rt;
}

/** The host's CPU time (ms) over `work`, and what it returned. */
async function hostCpu<T>(work: () => Promise<T>): Promise<{ cpuMs: number; value: T }> {
  const before = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, value };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => cleanupTenants());

describe("a compromised sandbox process against the host", () => {
  const folder = makeTenant({ "index.js": "exports.f = (script) => script;" });

  // Frames an honest process never sends, each within the frame limits, written as fast as the channel takes
  // them. They were dropped after being read and parsed, and nothing stopped the process: an idle one kept the
  // host's main thread parsing for as long as it liked (2.8 s of its CPU in 6 s, event-loop stalls of 300 ms).
  const idleFloods: Record<string, string> = {
    "results for a call it is not running": "{ t: 'result', id: ctx.message.id + 1000, outcome: ctx.outcome('x'.repeat(60000)) }",
    "its answered call's result again": "{ t: 'result', id: ctx.message.id, outcome: ctx.outcome('x'.repeat(60000)) }",
    "tool calls for an invocation that has ended": "{ t: 'tool', request: { invocationId: ctx.message.task.invocationId, callId: 1, name: 'x'.repeat(60000), args: '' } }",
    "sources for a call it is not running": "{ t: 'need', id: ctx.message.id + 1000, hashes: ['x'.repeat(60000)] }",
  };
  for (const [name, message] of Object.entries(idleFloods)) {
    it(`is stopped, once idle, at the first of a flood of ${name}`, async () => {
      const rt = compromisedRuntime();
      try {
        const script = `ctx.done("answered"); const one = ctx.frame(${message}); ctx.flood(Buffer.concat(Array(64).fill(one)), Date.now() + 3000);`;
        expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [script] })).toBe("answered");
        const { cpuMs } = await hostCpu(async () => {
          for (let waited = 0; waited < 10_000 && rt.load().workers > 0; waited += 50) await sleep(50);
        });
        expect(rt.load().workers, "the process is gone").toBe(0);
        expect(cpuMs, "host CPU while it flooded").toBeLessThan(400);
        // The runtime serves on, with a new process.
        expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [""] })).toBe("honest");
      } finally {
        await rt.close();
      }
    });
  }

  // The same while its call runs: until its hard stop (timeout + grace) the host parsed every frame.
  const runningFloods: Record<string, [message: string, reason: RegExp]> = {
    "tool calls for another invocation": ["{ t: 'tool', request: { invocationId: ctx.message.task.invocationId + 1, callId: 1, name: 'echo', args: JSON.stringify('x'.repeat(60000)) } }", /a tool call for an invocation it is not running/],
    "results for another call": ["{ t: 'result', id: ctx.message.id + 1, outcome: ctx.outcome('x'.repeat(60000)) }", /a result for a call it is not running/],
    "sources for another call": ["{ t: 'need', id: ctx.message.id + 1, hashes: ['x'.repeat(60000)] }", /asked for sources of a call it is not running/],
    "tool calls with a name no realm sends": ["{ t: 'tool', request: { invocationId: ctx.message.task.invocationId, callId: 1, name: 'n'.repeat(600000), args: '1' } }", /tool calls over the call's limits/],
  };
  for (const [name, [message, reason]] of Object.entries(runningFloods)) {
    it(`is stopped, while its call runs, at the first of a flood of ${name}: the call fails at once`, async () => {
      const calls: string[] = [];
      const rt = compromisedRuntime({ timeout: 2000, toolHandler: (tool) => (calls.push(tool), 1) });
      try {
        // Its process started and warm first (a start under load takes a while): the time is the attack's.
        expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [""] })).toBe("honest");
        const script = `const one = ctx.frame(${message}); ctx.flood(Buffer.concat(Array(16).fill(one)), Date.now() + 3000);`;
        const started = performance.now();
        const { cpuMs, value: result } = await hostCpu(() => rt.execute({ folder, file: "index.js", funcName: "f", args: [script] }));
        expect(result.error, safeJson(result)).toMatchObject({ code: "INTERNAL_ERROR", details: { reason: expect.stringMatching(reason) } });
        // Before: the hard stop, timeout + grace (2.5 s).
        expect(performance.now() - started).toBeLessThan(1500);
        expect(cpuMs, "host CPU while it flooded").toBeLessThan(600);
        expect(calls).toEqual([]);
        expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [""] })).toBe("honest");
      } finally {
        await rt.close();
      }
    });
  }

  it("is stopped when it spins the CPU between calls (an honest idle process sleeps)", async () => {
    const rt = compromisedRuntime();
    try {
      // Answered, then busy 20 ms of every 21 while still reading its channel: a core burnt outside any call's
      // time limit, at normal priority, for as long as the pool keeps the process (it kept going before).
      const script = `ctx.done("answered"); const spin = () => { const end = Date.now() + 20; while (Date.now() < end); setTimeout(spin, 1); }; spin();`;
      expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [script] })).toBe("answered");
      for (let waited = 0; waited < 6000 && rt.load().workers > 0; waited += 50) await sleep(50);
      expect(rt.load().workers, "the spinning process is gone").toBe(0);
      expect(await rt.run({ folder, file: "index.js", funcName: "f", args: [""] })).toBe("honest");
    } finally {
      await rt.close();
    }
  });

  it("an honest idle process is left alone: the real worker between calls", async () => {
    const rt = makeRuntime({ maxThreads: 1, minThreads: 1 });
    try {
      const tenant = makeTenant({ "index.js": "exports.f = () => { let n = 0; for (let i = 0; i < 3e7; i++) n += i; return n > 0; };" });
      for (let i = 0; i < 3; i++) expect(await rt.run({ folder: tenant, file: "index.js", funcName: "f" })).toBe(true);
      const pool = (rt as unknown as { pool: { all: Set<{ child: { pid: number } }> } }).pool;
      const pids = [...pool.all].map((proc) => proc.child.pid);
      await sleep(3500);
      expect([...pool.all].map((proc) => proc.child.pid)).toEqual(pids);
    } finally {
      await rt.close();
    }
  });
});

describe("a compromised sandbox process and the next tenant's call", () => {
  // What the process one tenant broke into does with the calls it serves next: by default (one pool for every
  // tenant) it runs another tenant's call and can act as that invocation (its tools, with its permissions, and
  // its result); processPerTenant keeps it from ever being handed one (SECURITY.md, the operating-system layer).
  const implant = `ctx.state.onRun = (message, done) => {
    ctx.send({ t: "tool", request: { invocationId: message.task.invocationId, callId: 1, name: "data:delete", args: "{}" } });
    done("forged");
    return true;
  };
  ctx.done("planted");`;
  for (const processPerTenant of [false, true]) {
    it(`processPerTenant ${processPerTenant}: ${processPerTenant ? "never handed another tenant's call" : "acts as the next tenant's invocation (a documented limit)"}`, async () => {
      const calls: { name: string; folder: string }[] = [];
      const rt = compromisedRuntime({ processPerTenant, toolHandler: (name, _args, ctx) => (calls.push({ name, folder: ctx.folder }), 1) });
      try {
        const attacker = makeTenant({ "index.js": "exports.f = (script) => script;" });
        const victim = makeTenant({ "index.js": "exports.f = () => 'honest';" });
        expect(await rt.run({ folder: attacker, file: "index.js", funcName: "f", args: [implant] })).toBe("planted");
        const value = await rt.run({ folder: victim, file: "index.js", funcName: "f", args: [""] });
        if (processPerTenant) {
          expect(value).toBe("honest");
          expect(calls).toEqual([]);
        } else {
          expect(value).toBe("forged");
          await sleep(100);
          expect(calls).toEqual([{ name: "data:delete", folder: victim }]);
        }
      } finally {
        await rt.close();
      }
    });
  }
});

describe("a tenant's calls parked on a tool call (no escape needed)", () => {
  /** Pairs of [start, end] spans that overlap: calls that ran at the same time. */
  const overlaps = (spans: [number, number][]) => {
    let pairs = 0;
    for (let i = 0; i < spans.length; i++) for (let j = i + 1; j < spans.length; j++) if (spans[i]![0] < spans[j]![1] && spans[j]![0] < spans[i]![1]) pairs++;
    return pairs;
  };

  it("do not run past the tenant's limits by working while parked: once seen, its calls park no more", async () => {
    // One call at a time for the tenant. Each call starts a slow tool call it does not await and works 600 ms:
    // parked, it counted against no limit, so the tenant's next calls started beside it (2-3 at once on 2 cores).
    const rt = makeRuntime({ maxThreads: 1, minThreads: 1, maxConcurrentPerTenant: 1, timeout: 5000, toolHandler: () => sleep(1500).then(() => 1) });
    try {
      const folder = makeTenant({
        "index.js": `exports.f = () => { callTool("slow", 1).catch(() => {}); const start = Date.now(); while (Date.now() - start < 600); return [start, Date.now()]; };`,
      });
      const burst = () => Promise.all(Array.from({ length: 3 }, () => rt.run({ folder, file: "index.js", funcName: "f" }) as Promise<[number, number]>));
      // Starts the workers parked calls use (a start under load takes a while), and is seen working while parked.
      await burst();
      await burst();
      const spans = await burst();
      expect(overlaps(spans), JSON.stringify(spans)).toBe(0);
    } finally {
      await rt.close();
    }
  });
});

/** The runtimes (objects with an osLayers method) reachable from `root` through its fields, a few levels down. */
function findRuntimes(root: object): { osLayers: () => unknown }[] {
  const found = new Set<{ osLayers: () => unknown }>();
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 5) return;
    seen.add(value);
    if (typeof (value as { osLayers?: unknown }).osLayers === "function") found.add(value as { osLayers: () => unknown });
    const children = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : Object.values(value);
    for (const child of children) visit(child, depth + 1);
  };
  visit(root, 0);
  return [...found];
}

describe("the OS layer, seen from the host", () => {
  const ROOT = process.platform === "linux" && process.getuid?.() === 0;

  /** The chain of only children below `pid` down to its end (the sandbox's Node process). */
  function sandboxPid(pid: number): number {
    for (let depth = 0; depth < 4; depth++) {
      const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      if (children.length !== 1) break;
      pid = Number(children[0]);
    }
    return pid;
  }

  it("what the OS layer lacks is told: a non-root host's sandboxes share its user, pids and network (the service logs it at start)", async () => {
    // Checked by hand on this machine: a Node process under --permission, as its parent's own non-root user,
    // signalled its parent (process.kill(ppid, 0)) and had Redis on 127.0.0.1:6379 answer PING. Nothing said so.
    const nonRoot = { permission: "--permission", user: null, networkNamespace: false, privateNamespaces: false, nonDumpable: false, dataLimitBytes: 1 << 30, parentDeath: "pdeathsig" } as const;
    const missing = missingOsLayers(nonRoot);
    expect(missing.join("\n")).toMatch(/unprivileged user .*may signal the host/);
    expect(missing.join("\n")).toMatch(/network namespace .*loopback service/);
    expect(missing.join("\n")).toMatch(/pid, mount and IPC namespaces/);
    const rt = makeRuntime({ maxThreads: 1, minThreads: 0 });
    try {
      const layers = rt.osLayers();
      expect(layers).toBeDefined();
      if (ROOT) expect(missingOsLayers(layers!)).toEqual([]);
    } finally {
      await rt.close();
    }
    const threads = makeRuntime({ maxThreads: 1, minThreads: 0, isolation: "thread" });
    try {
      expect(threads.osLayers()).toBeUndefined();
    } finally {
      await threads.close();
    }
  });

  it("the service says at start what its sandboxes run without", async () => {
    const logged: string[] = [];
    let server: InstanceType<typeof TenantboxServer> | undefined;
    try {
      const root = tempDir();
      writeTenants(root, { acme: { "h.js": "exports.ok = () => 1;" } });
      server = new TenantboxServer({ root, config: parseConfig({ tenants: [{ id: "acme", tier: "starter" }] }), dataDir: tempDir(), jwtSecret: SECRET, watch: false, maxThreads: 1, log: (message) => logged.push(message) });
      // Internal: the service's runtimes report what a non-root host's report (the service bundles its own runtime class).
      const runtimes = findRuntimes(server);
      expect(runtimes.length).toBeGreaterThan(0);
      for (const runtime of runtimes) runtime.osLayers = () => ({ permission: "--permission", user: null, networkNamespace: false, privateNamespaces: false, nonDumpable: false, dataLimitBytes: 1 << 30, parentDeath: "pdeathsig" });
      await server.listen({ port: 0 });
      expect(logged.join("\n")).toMatch(/sandbox processes run without .*may signal the host.*loopback service/);
    } finally {
      await server?.close();
      removeTempDirs();
    }
  });

  it("the service's config file can give each tenant processes of its own (processPerTenant)", async () => {
    expect(() => parseConfig({ processPerTenant: "yes", tenants: [] })).toThrow(/processPerTenant/);
    for (const processPerTenant of [true, false]) {
      let server: InstanceType<typeof TenantboxServer> | undefined;
      try {
        const root = tempDir();
        writeTenants(root, { acme: { "h.js": "exports.ok = () => 1;" } });
        server = new TenantboxServer({ root, config: parseConfig({ processPerTenant, tenants: [{ id: "acme", tier: "starter" }] }), dataDir: tempDir(), jwtSecret: SECRET, watch: false, maxThreads: 1, log: () => {} });
        const pools = findRuntimes(server).map((runtime) => (runtime as unknown as { pool: { options: { processPerTenant?: boolean } } }).pool);
        expect(pools.length).toBeGreaterThan(0);
        for (const pool of pools) expect(pool.options.processPerTenant).toBe(processPerTenant);
      } finally {
        await server?.close();
        removeTempDirs();
      }
    }
  });

  it.runIf(ROOT)("a sandbox process has an IPC namespace of its own: System V shared memory, semaphores and message queues are not the machine's [as root only]", async () => {
    // A native escape (the permission model does not stop native code) could fill the machine's System V shared
    // memory, which RLIMIT_DATA does not count, and leave it behind after the process ends: the segments outlive
    // their creator. In a namespace of its own they go with it.
    const launch = sandboxLaunch(COMPROMISED, { memoryLimitMb: 64, heapHeadroomMb: 32 });
    expect(launch.layers.privateNamespaces).toBe(true);
    const child = spawn(launch.file, launch.args, launch.options);
    try {
      const socket = child.stdio[3] as net.Socket;
      const ready = new Promise<void>((resolve, reject) => {
        const channel = new FrameChannel(socket, () => 1024, () => resolve(), reject);
        channel.send({ t: "init" });
      });
      await ready;
      const pid = sandboxPid(child.pid!);
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("post-escape-dec11-process");
      for (const ns of ["ipc", "net", "pid", "mnt"]) {
        expect(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), ns).not.toBe(fs.readlinkSync(`/proc/self/ns/${ns}`));
      }
    } finally {
      child.kill("SIGKILL");
    }
  });
});
