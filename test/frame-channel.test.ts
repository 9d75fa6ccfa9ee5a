import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { FrameChannel } from "../src/runner/frame-channel.js";
import { checkWorkerMessage } from "../src/runner/worker-messages.js";

/**
 * The runtime <-> sandbox process channel, against a process a tenant broke into (second red-team round:
 * one `process.send(null)` or one malformed line on Node's IPC channel crashed the host; one unterminated
 * 400 MiB message stalled it 2 s and took 1.4 GB).
 */

/** A duplex whose written bytes go nowhere and whose readable side the test feeds. */
function feedable(): Duplex {
  return new Duplex({ read() {}, write(_chunk, _encoding, done) { done(); } });
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

function frame(text: string): Buffer {
  const body = Buffer.from(text, "utf8");
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

describe("FrameChannel", () => {
  it("delivers frames split and joined anywhere", async () => {
    const stream = feedable();
    const got: unknown[] = [];
    new FrameChannel(stream, () => 1024, (m) => got.push(m), () => got.push("broken"));
    const bytes = Buffer.concat([frame('{"t":"ready"}'), frame('{"a":[1,2,3]}'), frame("null")]);
    for (let i = 0; i < bytes.length; i += 3) stream.push(bytes.subarray(i, i + 3));
    await settled();
    expect(got).toEqual([{ t: "ready" }, { a: [1, 2, 3] }, null]);
  });

  it("a blob's frame, whole or encoded in slices, is its key and text as UTF-8, whatever falls at a slice's end (pairs, lone surrogates)", () => {
    const capture = () => {
      const writes: Buffer[] = [];
      const stream = new Duplex({ read() {}, write(chunk: Buffer, _encoding, done) { writes.push(chunk); done(); } });
      return { channel: new FrameChannel(stream, () => 1024, () => {}, () => {}), writes };
    };
    const texts = [
      "\u{1F600}".repeat(50),
      "a\u{1F600}".repeat(40),
      "\ud800x\udc00\ud800".repeat(30) + "\ud83d",
      "\u00e9\u20ac".repeat(33) + "\u{10FFFF}",
      "",
    ];
    // The frame built here from Buffer.from of the key and of the whole text (what Node's encoder makes of them).
    const expected = (text: string) => {
      const key = Buffer.from("k\u00e9y", "utf8");
      const body = Buffer.concat([Buffer.from([0, 0, key.length]), key, Buffer.from(text, "utf8")]);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length, 0);
      return Buffer.concat([header, body]);
    };
    for (const text of texts) {
      const whole = capture();
      whole.channel.sendBlob("k\u00e9y", text);
      expect(Buffer.concat(whole.writes).equals(expected(text)), `${JSON.stringify(text.slice(0, 12))} whole`).toBe(true);
      for (const chars of [1, 2, 3, 7, 64, 1000]) {
        const sliced = capture();
        const encode = sliced.channel.blobInSlices("k\u00e9y", text);
        let left = text.length;
        let steps = 0;
        do {
          expect(sliced.writes, "written only once whole").toHaveLength(0);
          const before = left;
          left = encode(chars);
          expect(before - left, "progress on every step").toBeGreaterThan(text.length ? 0 : -1);
          steps++;
        } while (left > 0);
        expect(steps).toBeGreaterThanOrEqual(Math.ceil(text.length / (chars + 1)));
        expect(Buffer.concat(sliced.writes).equals(expected(text)), `${JSON.stringify(text.slice(0, 12))} in slices of ${chars}`).toBe(true);
        expect(encode(chars)).toBe(0);
        expect(sliced.writes).toHaveLength(1);
      }
    }
  });

  it("frames sent together leave in one write, and the other side reads each of them", async () => {
    const writes: Buffer[][] = [];
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        writes.push([chunk]);
        done();
      },
      writev(chunks, done) {
        writes.push(chunks.map((c) => c.chunk as Buffer));
        done();
      },
    });
    const channel = new FrameChannel(stream, () => 1024, () => {}, () => {});
    channel.together(() => {
      channel.sendBlob("hash-1", "exports.x = 1;");
      channel.send({ t: "run", id: 1 });
    });
    await settled();
    expect(writes).toHaveLength(1);
    const other = feedable();
    const got: unknown[] = [];
    new FrameChannel(other, () => 1024, (m) => got.push(m), (why) => got.push(`broken: ${why}`), undefined, (key, text) => got.push([key, text]));
    other.push(Buffer.concat(writes[0]!));
    await settled();
    expect(got).toEqual([["hash-1", "exports.x = 1;"], { t: "run", id: 1 }]);
  });

  it("breaks on a frame that is not JSON, and reads nothing after it", async () => {
    const stream = feedable();
    const got: unknown[] = [];
    new FrameChannel(stream, () => 1024, (m) => got.push(m), (why) => got.push(`broken: ${why}`));
    stream.push(Buffer.concat([frame("{not json"), frame('{"t":"ready"}')]));
    await settled();
    expect(got).toEqual(["broken: a frame that is not JSON"]);
  });

  it("breaks on a frame over the limit as soon as its header arrives, without buffering it", async () => {
    const stream = feedable();
    const got: unknown[] = [];
    new FrameChannel(stream, () => 1024, (m) => got.push(m), (why) => got.push(`broken: ${why}`));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(400 * 1024 * 1024, 0);
    stream.push(header);
    await settled();
    expect(got).toEqual(["broken: a frame of 419430400 bytes, over the limit"]);
  });

  it("a real child writing garbage on its channel: the host notices, and lives", async () => {
    const child = spawn(process.execPath, ["-e", "require('fs').writeSync(3, Buffer.from([0,0,0,9])); require('fs').writeSync(3, '{not json'); setTimeout(() => {}, 5000)"], {
      stdio: ["ignore", "ignore", "ignore", "pipe"],
    });
    try {
      const why = await new Promise<string>((resolve) => new FrameChannel(child.stdio[3] as Socket, () => 1024, () => resolve("a message"), resolve));
      expect(why).toBe("a frame that is not JSON");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("checkWorkerMessage", () => {
  const outcome = { ok: true, value: "1", logs: [], stats: { durationMs: 1, toolCalls: 0, logBytes: 0, realmUses: 1 } };

  it("accepts the protocol's messages", () => {
    expect(checkWorkerMessage({ t: "ready" })).toEqual({ t: "ready" });
    expect(checkWorkerMessage({ t: "result", id: 3, outcome })).toEqual({ t: "result", id: 3, outcome });
    expect(checkWorkerMessage({ t: "need", id: 3, hashes: ["a"] })).toEqual({ t: "need", id: 3, hashes: ["a"] });
    expect(checkWorkerMessage({ t: "tool", request: { invocationId: 1, callId: 2, name: "x", args: "" } })).toBeDefined();
  });

  it("passes on only the fields the protocol has: whatever else a broken process adds stays behind", () => {
    const forged = {
      ...outcome,
      extra: { huge: "x".repeat(1000) },
      logs: [{ level: "warn", message: "m", at: "/host/path" }],
      stats: { ...outcome.stats, secret: "s" },
      error: { code: "RUNTIME_ERROR", name: "Error", message: "e", details: { stack: "s" }, hostStack: "h" },
    };
    expect(checkWorkerMessage({ t: "result", id: 3, outcome: forged, junk: 1 })).toEqual({
      t: "result",
      id: 3,
      outcome: {
        ok: true,
        value: "1",
        logs: [{ level: "warn", message: "m" }],
        stats: outcome.stats,
        error: { code: "RUNTIME_ERROR", name: "Error", message: "e", details: { stack: "s" } },
      },
    });
  });

  it("refuses anything else: null, wrong types, unknown codes, missing fields", () => {
    for (const bad of [
      null,
      "ready",
      [],
      { t: "nope" },
      { t: "result", id: 3, outcome: null },
      { t: "result", id: "3", outcome },
      { t: "result", id: 3, outcome: { ...outcome, ok: "yes" } },
      { t: "result", id: 3, outcome: { ...outcome, error: { code: "PWNED", name: "x", message: "y" } } },
      { t: "result", id: 3, outcome: { ...outcome, logs: [{ level: 1 }] } },
      { t: "result", id: 3, outcome: { ...outcome, stats: {} } },
      { t: "result", id: 3, outcome: { ...outcome, stats: { ...outcome.stats, durationMs: -1 } } },
      { t: "result", id: 3, outcome: { ...outcome, stats: { ...outcome.stats, toolCalls: 1.5 } } },
      { t: "result", id: 3, outcome: { ...outcome, logs: [{ level: "__proto__", message: "x" }] } },
      { t: "need", id: 3, hashes: [1] },
      { t: "tool", request: { invocationId: 1, callId: 2, name: "x", args: { big: true } } },
    ]) {
      expect(checkWorkerMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe("FrameChannel nesting", () => {
  it("refuses a frame nested deeper than allowed before parsing it (strings with brackets are not nesting)", async () => {
    const stream = feedable();
    const got: unknown[] = [];
    new FrameChannel(stream, () => 64 * 1024 * 1024, (m) => got.push(m), (why) => got.push(`broken: ${why}`), { maxDepth: 32, maxValues: () => Infinity });
    stream.push(frame(JSON.stringify({ text: "[[[[{{{{".repeat(100), nested: [[[1]]] })));
    await settled();
    expect(got).toEqual([{ text: "[[[[{{{{".repeat(100), nested: [[[1]]] }]);
    const started = performance.now();
    stream.push(frame("[".repeat(2_000_000) + "]".repeat(2_000_000)));
    await settled();
    expect(got[1]).toBe("broken: a frame nested too deeply");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("FrameChannel values", () => {
  it("refuses a frame of more values than allowed now before parsing it (a flat array of empty arrays)", async () => {
    const stream = feedable();
    const got: unknown[] = [];
    let allowed = 200;
    new FrameChannel(stream, () => 64 * 1024 * 1024, (m) => got.push(m), (why) => got.push(`broken: ${why}`), { maxDepth: 32, maxValues: () => allowed });
    stream.push(frame(JSON.stringify({ t: "ready", logs: Array(40).fill({ level: "log", message: "a,b,[c]" }) })));
    await settled();
    // 40 entries of two strings: about 3 values each, brackets and commas inside strings not counted.
    expect(got).toEqual([{ t: "ready", logs: Array(40).fill({ level: "log", message: "a,b,[c]" }) }]);
    allowed = 1024;
    const started = performance.now();
    stream.push(frame(JSON.stringify({ t: "ready", pad: Array(2_000_000).fill([]) })));
    await settled();
    expect(got[1]).toBe("broken: a frame with more values than a message may hold");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("checkWorkerMessage bounds", () => {
  const outcome = { ok: false, logs: [], stats: { durationMs: 1, toolCalls: 0, logBytes: 0, realmUses: 1 } };
  it("refuses error codes only the runtime decides, and error text longer than a sandbox makes", () => {
    for (const code of ["QUEUE_FULL", "CLOSED", "INVALID_REQUEST", "CODE_TOO_LARGE", "SCORING_BLOCKED"]) {
      expect(checkWorkerMessage({ t: "result", id: 1, outcome: { ...outcome, error: { code, name: "RuntimeError", message: "x" } } }), code).toBeUndefined();
    }
    expect(checkWorkerMessage({ t: "result", id: 1, outcome: { ...outcome, error: { code: "RUNTIME_ERROR", name: "E", message: "m".repeat(14e6) } } })).toBeUndefined();
    expect(checkWorkerMessage({ t: "result", id: 1, outcome: { ...outcome, error: { code: "RUNTIME_ERROR", name: "E", message: "m", details: { stack: "s".repeat(2e6) } } } })).toBeUndefined();
    expect(checkWorkerMessage({ t: "result", id: 1, outcome: { ...outcome, error: { code: "TIMEOUT", name: "RuntimeError", message: "m" } } })).toBeDefined();
  });
});
