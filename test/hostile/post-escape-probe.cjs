"use strict";
/*
 * Trusted probe code for test/hostile/post-escape.test.ts. It is started exactly as a sandbox process is
 * (sandboxLaunch in src/runner/sandbox-os.ts, with this file as the entry) and runs in that process's own
 * Node context: what an attacker would hold after breaking the realm. It tries what such an attacker would
 * try and reports each outcome over IPC. Never reachable from tenant code: the pool only ever starts
 * dist/worker-process.js.
 */
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const childProcess = require("node:child_process");

const targets = JSON.parse(process.argv[process.argv.length - 1]);
const report = {};

function attempt(name, fn) {
  try {
    const value = fn();
    report[name] = { ok: true, value: value === undefined ? null : String(value).slice(0, 200) };
  } catch (error) {
    report[name] = { ok: false, code: (error && error.code) || (error && error.name) || String(error) };
  }
}

for (const [name, file] of Object.entries(targets.read)) attempt(`read:${name}`, () => fs.readFileSync(file, "utf8").length);
attempt("readdir:other-tenant", () => fs.readdirSync(targets.otherTenant).join(","));
attempt("stat:other-tenant", () => fs.statSync(targets.otherTenant).size);
attempt("write:file", () => fs.writeFileSync(targets.write, "escaped"));
attempt("write:append", () => fs.appendFileSync(targets.read.otherTenantModule, "escaped"));
attempt("spawn:sync", () => childProcess.spawnSync("/bin/sh", ["-c", "true"]).status);
attempt("spawn:async", () => childProcess.spawn("/bin/sh", ["-c", "true"]).pid);
attempt("execve", () => (typeof process.execve === "function" ? process.execve("/bin/sh", ["sh", "-c", "true"]) : "absent"));
attempt("worker", () => {
  const { Worker } = require("node:worker_threads");
  const worker = new Worker("1", { eval: true });
  worker.terminate();
  return "started";
});
attempt("addon:dlopen", () => process.dlopen({ exports: {} }, targets.addon));
attempt("wasi", () => {
  const { WASI } = require("node:wasi");
  return typeof new WASI({ version: "preview1" });
});
attempt("inspector", () => {
  require("node:inspector").open(0);
  return "opened";
});
attempt("binding", () => typeof process.binding("fs"));
attempt("signal:host", () => process.kill(targets.hostPid, 0));
// Another process of the same unprivileged user (as another tenant's sandbox process would be).
attempt("signal:same-user", () => (targets.siblingPid ? process.kill(targets.siblingPid, 0) : "absent"));
attempt("memory:2GiB", () => Buffer.allocUnsafeSlow(2 * 1024 * 1024 * 1024 - 1).length);
report.permission = process.permission
  ? {
      readPasswd: process.permission.has("fs.read", "/etc/passwd"),
      write: process.permission.has("fs.write"),
      child: process.permission.has("child"),
      worker: process.permission.has("worker"),
    }
  : null;
report.identity = { uid: process.getuid(), gid: process.getgid(), euid: process.geteuid(), egid: process.getegid(), groups: process.getgroups() };
report.interfaces = Object.keys(os.networkInterfaces());

/** Connects to `where`; reports the outcome under `name`, then goes on with `next`. */
function tryConnect(name, where, next) {
  const socket = net.connect(where);
  let settled = false;
  const done = (outcome) => {
    if (settled) return;
    settled = true;
    socket.destroy();
    report[name] = outcome;
    next();
  };
  socket.once("connect", () => done({ ok: true }));
  socket.once("error", (error) => done({ ok: false, code: error.code }));
  socket.setTimeout(3000, () => done({ ok: false, code: "TIMEOUT" }));
}

tryConnect("socket", { host: "127.0.0.1", port: targets.port }, () =>
  // A Unix socket in /run, world-writable like a database's: a network namespace does not hide those.
  tryConnect("unix-socket", targets.runSocket ? { path: targets.runSocket } : { path: "/nonexistent" }, () => {
    // On the runtime's channel (descriptor 3, a length-prefixed JSON frame), then alive until the test has
    // looked at this process from outside (its /proc entries) and closed the channel.
    const channel = new net.Socket({ fd: 3, readable: true, writable: true });
    const body = Buffer.from(JSON.stringify(report), "utf8");
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    channel.write(Buffer.concat([header, body]));
    channel.on("end", () => process.exit(0));
    channel.on("close", () => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  }),
);
