"use strict";
/*
 * Trusted test code for test/hostile/post-escape-dec11.test.ts: a sandbox process after an escape from the
 * realm. The test starts it with the very launch the pool uses (sandboxLaunch, src/runner/sandbox-os.ts) in
 * place of the worker's code, so it holds what such an attacker holds: the process's own Node context and
 * the runtime's channel on descriptor 3. It speaks the protocol (init, ready, run, result, tool) and, for a
 * run whose first argument is a script, runs that script with those powers: the attack a test asks for.
 * Never reachable from tenant code: the pool only ever starts dist/worker-process.cjs.
 */
const net = require("node:net");

const socket = new net.Socket({ fd: 3, readable: true, writable: true });
socket.on("end", () => process.exit(0));
socket.on("close", () => process.exit(0));

/** One length-prefixed frame of JSON (frame-channel.ts). */
function frame(message) {
  const body = Buffer.from(typeof message === "string" ? message : JSON.stringify(message), "utf8");
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}
const send = (message) => socket.write(frame(message));
const outcome = (value) => ({ ok: true, value: JSON.stringify(value), logs: [], stats: { durationMs: 1, toolCalls: 0, logBytes: 0, realmUses: 1 } });
/** Writes `bytes` again and again until `until` (Date.now()), as fast as the channel takes them. */
function flood(bytes, until) {
  const pump = () => {
    while (Date.now() < until) if (!socket.write(bytes)) return socket.once("drain", pump);
  };
  pump();
}
const state = { replies: [] };

function onMessage(message) {
  if (message.t === "init") return send({ t: "ready" });
  if (message.t === "tool-reply") return state.replies.push(message.reply);
  if (message.t !== "run") return;
  const done = (value) => send({ t: "result", id: message.id, outcome: outcome(value) });
  // What an earlier call left in this process: it sees every later run first (and may answer it itself).
  if (state.onRun && state.onRun(message, done)) return;
  let script = "";
  try {
    script = JSON.parse(message.task.args)[0];
  } catch {
    /* no script: an honest answer */
  }
  if (typeof script !== "string" || script === "") return done("honest");
  new Function("ctx", script)({ message, send, frame, flood, done, outcome, socket, state });
}

let chunks = Buffer.alloc(0);
socket.on("data", (chunk) => {
  chunks = Buffer.concat([chunks, chunk]);
  while (chunks.length >= 4 && chunks.length >= 4 + chunks.readUInt32BE(0)) {
    const body = chunks.subarray(4, 4 + chunks.readUInt32BE(0));
    chunks = chunks.subarray(4 + body.length);
    // A blob (a module's source) starts with 0; the attacker has no use for them here.
    if (body[0] !== 0) onMessage(JSON.parse(body.toString("utf8")));
  }
});
