import type { Duplex } from "node:stream";
import { jsonShapeProblem } from "../json-shape.js";
import { sliceEnd } from "../text-slices.js";

/** Bytes of a frame's length header (big-endian). */
const HEADER = 4;
/** A frame whose body starts with this byte is a blob (a key and raw UTF-8 text), not JSON (which starts with "{"). */
const BLOB = 0x00;
/**
 * Object layouts a checked frame may hold (json-shape.ts): a message's objects are the protocol's own, a few
 * dozen layouts; error details add a few more. A compromised process's frame of distinct one-key objects
 * would cost the host 0.55 us each.
 */
const FRAME_LAYOUTS = 1024;

/**
 * Messages as length-prefixed JSON frames on a byte stream: the channel between the runtime and a sandbox
 * process. Node's own IPC channel parses whatever a child writes on the host's main thread and throws from
 * inside its reader, so one malformed line from a compromised sandbox process ended the host, and one
 * unterminated message grew its memory without bound (second red-team round). Here every frame is
 * bounded before it is buffered, parsed in a try, and anything wrong is `onBroken`: the caller kills the
 * process, never the host.
 */
export class FrameChannel {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private broken = false;

  constructor(
    private readonly stream: Duplex,
    /** The largest frame the other side may send now (bytes of JSON); asked for each frame as its header arrives. */
    private readonly maxInbound: () => number,
    private readonly onMessage: (message: unknown) => void,
    private readonly onBroken: (why: string) => void,
    /**
     * How deeply the other side's JSON may nest, and how many values it may hold now: checked in one pass before
     * it is parsed (JSON.parse of two million nested arrays took 450 ms; of 19 MiB of flat empty arrays, 1 s).
     */
    private readonly shape?: { maxDepth: number; maxValues: () => number },
    /** Blobs from the other side; without it, a blob breaks the channel. */
    private readonly onBlob?: (key: string, text: string) => void,
  ) {
    stream.on("data", (chunk: Buffer) => this.receive(chunk));
    stream.on("error", () => {});
  }

  send(message: unknown): void {
    if (this.broken || this.stream.destroyed || !this.stream.writable) return;
    // One write per frame: the header written into the frame's own buffer.
    const text = JSON.stringify(message);
    const frame = Buffer.allocUnsafe(HEADER + Buffer.byteLength(text, "utf8"));
    const length = frame.write(text, HEADER, "utf8");
    frame.writeUInt32BE(length, 0);
    this.stream.write(frame);
  }

  /**
   * Text as raw UTF-8 under a key, outside JSON: a module's source, which JSON would escape (a control
   * character into six bytes) at a cost of hundreds of milliseconds of the main thread for a big graph.
   */
  sendBlob(key: string, text: string): void {
    this.blobInSlices(key, text)(text.length);
  }

  /**
   * A blob's frame encoded a slice at a time, for text too long to encode in one turn of the host's event loop:
   * each call of the returned function encodes about `chars` more characters (never splitting a surrogate
   * pair), writes the frame once it is whole, and answers how many characters are left (0: written).
   */
  blobInSlices(key: string, text: string): (chars: number) => number {
    const keyBytes = Buffer.byteLength(key, "utf8");
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a pair's 4 bytes are 2 units' worth).
    const frame = Buffer.allocUnsafe(HEADER + 3 + keyBytes + 3 * text.length);
    frame[HEADER] = BLOB;
    frame.writeUInt16BE(keyBytes, HEADER + 1);
    let at = HEADER + 3 + frame.write(key, HEADER + 3, "utf8");
    let done = 0;
    let written = false;
    return (chars) => {
      if (written) return 0;
      if (done < text.length) {
        const end = sliceEnd(text, done, chars);
        at += frame.write(text.slice(done, end), at, "utf8");
        done = end;
      }
      if (done === text.length) {
        written = true;
        const whole = frame.subarray(0, at);
        whole.writeUInt32BE(at - HEADER, 0);
        if (!this.broken && !this.stream.destroyed && this.stream.writable) this.stream.write(whole);
      }
      return text.length - done;
    };
  }

  /** Frames sent inside `send` leave in one write (the stream corked until it returns). */
  together(send: () => void): void {
    this.stream.cork();
    try {
      send();
    } finally {
      this.stream.uncork();
    }
  }

  /** No more messages either way: the other side sees the end of its stream. */
  end(): void {
    this.stream.end();
  }

  private receive(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.broken) {
      if (this.expected < 0) {
        if (this.buffered < HEADER) return;
        const length = this.take(HEADER).readUInt32BE(0);
        if (length > this.maxInbound()) return this.fail(`a frame of ${length} bytes, over the limit`);
        this.expected = length;
      }
      if (this.buffered < this.expected) return;
      const body = this.take(this.expected);
      this.expected = -1;
      if (body.length > 0 && body[0] === BLOB) {
        if (!this.onBlob || body.length < 3) return this.fail("a blob it may not send");
        const keyBytes = body.readUInt16BE(1);
        if (3 + keyBytes > body.length) return this.fail("a blob shorter than its key");
        this.onBlob(body.toString("utf8", 3, 3 + keyBytes), body.toString("utf8", 3 + keyBytes));
        continue;
      }
      // Decoded once: the nesting check and the parse read the same text.
      const text = body.toString("utf8");
      // Only the runtime's side checks: the sandbox process reads the runtime's frames (a graph's sources) as sent.
      const problem = this.shape && jsonShapeProblem(text, { maxDepth: this.shape.maxDepth, maxValues: this.shape.maxValues(), maxShapes: FRAME_LAYOUTS });
      if (problem === "depth") return this.fail("a frame nested too deeply");
      if (problem === "values") return this.fail("a frame with more values than a message may hold");
      if (problem === "shapes") return this.fail("a frame with more object layouts than a message has");
      if (problem === "keys") return this.fail("a frame with a key longer than a message has");
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return this.fail("a frame that is not JSON");
      }
      this.onMessage(message);
    }
  }

  /** Reads nothing more from the other side (what was received and not read yet is dropped); sends nothing more. */
  discard(): void {
    this.broken = true;
    this.chunks.length = 0;
    this.buffered = 0;
  }

  /** The next `bytes` bytes of what was received. */
  private take(bytes: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const taken = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.chunks.length = 0;
    if (rest.length) this.chunks.push(rest);
    this.buffered = rest.length;
    return taken;
  }

  private fail(why: string): void {
    this.broken = true;
    this.chunks.length = 0;
    this.buffered = 0;
    this.onBroken(why);
  }
}
