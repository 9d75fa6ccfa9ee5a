// The IPC floor's far end (suite-breakdown.mjs): answers each length-prefixed JSON frame on descriptor 3
// with a result frame the size of a small hook's, as a sandbox process would, and does nothing else.
import net from "node:net";

const RESULT = { ok: true, value: '{"id":"A-1042","total":281.79,"items":5}', logs: [], stats: { durationMs: 0.05, toolCalls: 0, logBytes: 0, realmUses: 3 } };
const socket = new net.Socket({ fd: 3, readable: true, writable: true });
let pending = Buffer.alloc(0);
socket.on("data", (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  while (pending.length >= 4) {
    const length = pending.readUInt32BE(0);
    if (pending.length < 4 + length) break;
    const message = JSON.parse(pending.toString("utf8", 4, 4 + length));
    pending = pending.subarray(4 + length);
    const text = JSON.stringify({ t: "result", id: message.id, outcome: RESULT });
    const frame = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
    frame.writeUInt32BE(frame.write(text, 4), 0);
    socket.write(frame);
  }
});
socket.on("end", () => process.exit(0));
