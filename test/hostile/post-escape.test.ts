import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameChannel } from "../../src/runner/frame-channel.js";
import { sandboxLaunch, type OsLayers } from "../../src/runner/sandbox-os.js";

/*
 * Post-escape: assume a V8 bug broke the realm. Trusted probe code runs in a sandbox process's own Node
 * context, started through the very function the pool starts its processes with (sandboxLaunch), and
 * tries what an attacker holding that context would try. Each mechanism is asserted where it is in force
 * (the layers the launch reports); on this project's CI (Linux, root, util-linux) all of them are.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBE = path.join(HERE, "post-escape-probe.cjs");
const ROOT = process.platform === "linux" && process.getuid?.() === 0;

interface Attempt {
  ok: boolean;
  code?: string;
  value?: string | null;
}
type Report = Record<string, Attempt> & {
  permission: { readPasswd: boolean; write: boolean; child: boolean; worker: boolean } | null;
  identity: { uid: number; gid: number; euid: number; egid: number; groups: number[] };
  interfaces: string[];
  socket: Attempt;
  "unix-socket": Attempt;
};

let dir: string;
let server: net.Server;
let report: Report;
let layers: OsLayers;
let written: string;
let otherModule: string;
let unixServer: net.Server | undefined;
let sibling: ReturnType<typeof spawn> | undefined;
/** Who owns the live probe's /proc/<pid>/mem: root when the process is not dumpable. */
let memOwner: number | undefined;

beforeAll(async () => {
  // World-readable, like tenant folders on a shared volume: only the OS layer stands between the probe and them.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-post-escape-"));
  fs.chmodSync(dir, 0o755);
  const other = path.join(dir, "tenants", "globex");
  fs.mkdirSync(other, { recursive: true });
  for (const d of [path.join(dir, "tenants"), other]) fs.chmodSync(d, 0o755);
  otherModule = path.join(other, "index.js");
  fs.writeFileSync(otherModule, "exports.secret = 'globex-secret';\n", { mode: 0o644 });
  const config = path.join(dir, "tenants.json");
  fs.writeFileSync(config, JSON.stringify({ auth: { jwtSecret: "service-secret" } }), { mode: 0o600 });
  const database = path.join(dir, "tenantbox.sqlite");
  fs.writeFileSync(database, "SQLite format 3\0", { mode: 0o644 });
  written = path.join(dir, "escaped.txt");

  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  // A Unix socket in /run (where PostgreSQL's and Redis's live), open to everyone, and a process of the
  // sandbox user outside the sandbox: what post-escape code could reach if namespaces did not hide them.
  let runSocket: string | undefined;
  if (ROOT && fs.existsSync("/run")) {
    runSocket = path.join("/run", `tenantbox-post-escape-${process.pid}.sock`);
    fs.rmSync(runSocket, { force: true });
    unixServer = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => unixServer!.listen(runSocket, resolve));
    fs.chmodSync(runSocket, 0o777);
  }
  let siblingPid: number | undefined;
  const user = sandboxLaunch(PROBE, { memoryLimitMb: 64, heapHeadroomMb: 32 }).layers.user;
  if (ROOT && user && fs.existsSync("/usr/bin/setpriv")) {
    sibling = spawn("/usr/bin/setpriv", [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--", "/bin/sleep", "60"], { stdio: "ignore" });
    siblingPid = sibling.pid;
  }

  const targets = {
    runSocket,
    siblingPid,
    read: { passwd: "/etc/passwd", serviceConfig: config, otherTenantModule: otherModule, database, hostSource: fileURLToPath(import.meta.url) },
    otherTenant: other,
    write: written,
    addon: path.join(dir, "addon.node"),
    hostPid: process.pid,
    port,
  };
  const launch = sandboxLaunch(PROBE, { memoryLimitMb: 64, heapHeadroomMb: 32 }, [JSON.stringify(targets)]);
  layers = launch.layers;
  const child = spawn(launch.file, launch.args, launch.options);
  report = await new Promise<Report>((resolve, reject) => {
    const channel: FrameChannel = new FrameChannel(
      child.stdio[3] as net.Socket,
      () => 1024 * 1024,
      (message) => {
        const probePid = descendants(child.pid!).find((pid) => readProc(pid, "cmdline").includes("post-escape-probe"));
        if (probePid !== undefined) memOwner = fs.statSync(`/proc/${probePid}/mem`).uid;
        channel.end();
        resolve(message as Report);
      },
      (why) => reject(new Error(why)),
    );
    child.once("exit", (code, signal) => reject(new Error(`probe exited (${code ?? signal}) without a report`)));
  });
}, 30_000);

/** Every process below `pid`, host-side pids (the probe runs in namespaces of its own). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let children: number[] = [];
    try {
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        children.push(...fs.readFileSync(`/proc/${p}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
      }
    } catch {
      children = [];
    }
    for (const c of children) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

function readProc(pid: number, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

afterAll(async () => {
  sibling?.kill("SIGKILL");
  await new Promise<void>((resolve) => (unixServer ? unixServer.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function denied(name: string): void {
  const attempt = report[name] as Attempt | undefined;
  expect(attempt, name).toBeDefined();
  expect(attempt!.ok, `${name} succeeded: ${JSON.stringify(attempt)}`).toBe(false);
}

describe("after an escape from the realm, the sandbox process", () => {
  it("runs under Node's permission model", () => {
    expect(layers.permission).not.toBeNull();
    expect(report.permission).toEqual({ readPasswd: false, write: false, child: false, worker: layers.parentDeath === "watchdog" });
  });

  it("cannot read /etc/passwd, the service config, another tenant's folder, the database or the host's source", () => {
    for (const name of ["read:passwd", "read:serviceConfig", "read:otherTenantModule", "read:database", "read:hostSource", "readdir:other-tenant", "stat:other-tenant"]) {
      denied(name);
    }
    expect(report["read:passwd"]!.code).toBe("ERR_ACCESS_DENIED");
  });

  it("cannot write a file", () => {
    denied("write:file");
    denied("write:append");
    expect(fs.existsSync(written)).toBe(false);
    expect(fs.readFileSync(otherModule, "utf8")).toBe("exports.secret = 'globex-secret';\n");
  });

  it("cannot spawn a process", () => {
    denied("spawn:sync");
    denied("spawn:async");
    if (report["execve"]!.value !== "absent") denied("execve");
  });

  it("cannot load an addon, use WASI, open the inspector or reach internal bindings", () => {
    denied("addon:dlopen");
    denied("wasi");
    denied("inspector");
    denied("binding");
  });

  it("starts no worker thread where the kernel ends it with its host", () => {
    if (layers.parentDeath === "pdeathsig") denied("worker");
    else expect(process.platform).not.toBe("linux");
  });

  it.runIf(ROOT)("runs as the unprivileged user, with no supplementary groups, and cannot signal the host [as root only: the OS layer drops privileges from root]", () => {
    expect(layers.user).not.toBeNull();
    const { uid, gid } = layers.user!;
    expect(uid).not.toBe(0);
    expect(report.identity).toMatchObject({ uid, gid, euid: uid, egid: gid });
    expect(report.identity.groups.filter((g) => g !== gid)).toEqual([]);
    denied("signal:host");
    // Not its user's process (EPERM), or not even visible from its pid namespace (ESRCH).
    expect(report["signal:host"]!.code).toBe(layers.privateNamespaces ? "ESRCH" : "EPERM");
  });

  it.runIf(ROOT)("has no network: no interface, no connection to the host's loopback [as root only: the OS layer drops privileges from root]", () => {
    expect(layers.networkNamespace).toBe(true);
    expect(report.interfaces).toEqual([]);
    expect(report.socket.ok).toBe(false);
  });

  it.runIf(ROOT)("sees no other process: cannot signal one of its own user outside its namespace [as root only: the OS layer drops privileges from root]", () => {
    expect(layers.privateNamespaces).toBe(true);
    denied("signal:same-user");
    expect(report["signal:same-user"]!.code).toBe("ESRCH");
  });

  it.runIf(ROOT)("cannot reach a Unix socket in /run, open to everyone (a database's) [as root only: the OS layer drops privileges from root]", () => {
    expect(layers.privateNamespaces).toBe(true);
    expect(report["unix-socket"].ok).toBe(false);
  });

  it.runIf(ROOT)("is not dumpable: another process of its user cannot read its memory or trace it [as root only: the OS layer drops privileges from root]", () => {
    expect(layers.nonDumpable).toBe(true);
    // A non-dumpable process's /proc entries belong to root, whatever user it runs as (its own user would
    // own them, and so could open /proc/<pid>/mem or ptrace it).
    expect(memOwner).toBe(0);
    expect(layers.user!.uid).not.toBe(0);
  });

  it.runIf(process.platform === "linux")("has an OS-level memory bound (RLIMIT_DATA): a 2 GiB allocation is refused [Linux only]", () => {
    expect(layers.dataLimitBytes).not.toBeNull();
    expect(layers.dataLimitBytes!).toBeLessThan(2 * 1024 * 1024 * 1024);
    denied("memory:2GiB");
  });
});
