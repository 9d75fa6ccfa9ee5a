// The Fetch standard's Body mixin for Request and Response: what a body can be made of (with the
// Content-Type it implies) and how it is read, once. A body is bytes produced on demand, or a stream.
const Headers = require("./headers.cjs");
const FormData = require("./form-data.cjs");
const multipart = require("./multipart.cjs");
const concatBytes = require("../shared/concat-bytes.cjs");

const encoder = new TextEncoder();
const states = new WeakMap();

function copyOf(view) {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

/** { produce: () => Promise<Uint8Array>, stream, type } for a body init; null for no body. */
function extract(init) {
  if (init === undefined || init === null) return null;
  if (init instanceof ReadableStream) return { stream: init, type: null };
  if (init instanceof URLSearchParams) {
    const bytes = encoder.encode(init.toString());
    return { produce: async () => bytes, type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (init instanceof ArrayBuffer) {
    const bytes = new Uint8Array(init.slice(0));
    return { produce: async () => bytes, type: null };
  }
  if (ArrayBuffer.isView(init)) {
    const bytes = copyOf(init);
    return { produce: async () => bytes, type: null };
  }
  if (init instanceof Blob) return { produce: async () => new Uint8Array(await init.arrayBuffer()), type: init.type === "" ? null : init.type };
  if (init instanceof FormData) {
    const mark = multipart.boundary();
    const entries = [...init];
    return { produce: () => multipart.encode(entries, mark), type: "multipart/form-data; boundary=" + mark };
  }
  const bytes = encoder.encode(String(init));
  return { produce: async () => bytes, type: "text/plain;charset=UTF-8" };
}

/** Attaches a body (from extract) to a Request or Response; its type goes to headers unless they have one. */
function attach(owner, body, headers) {
  states.set(owner, { body, used: false, headers });
  if (body !== null && body.type !== null && !headers.has("content-type")) headers.append("content-type", body.type);
}

function stateOf(owner, method) {
  const state = states.get(owner);
  if (state === undefined) throw new TypeError("Illegal invocation: " + method + " of an object that is not a Request or Response");
  return state;
}

// The body as a stream, made once: reading from it uses the body up. Making it reads nothing (a high-water mark
// of 0: a stream of the default 1 pulls as soon as it starts, and a body only looked at, `response.body?.locked`,
// was used up a tick later). A pull marks the body used only while this stream is still the body's: after a
// clone's tee, reading the clone's branch pulls it, and that leaves the original unread.
function streamOf(state) {
  const body = state.body;
  if (body.stream === undefined) {
    const produce = body.produce;
    const stream = new ReadableStream(
      {
        async pull(controller) {
          if (body.stream === stream) state.used = true;
          const bytes = await produce();
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    body.stream = stream;
  }
  return body.stream;
}

async function consume(owner, method) {
  const state = stateOf(owner, method);
  if (state.body === null) {
    if (state.used) throw new TypeError("Body is unusable: Body has already been read");
    return new Uint8Array(0);
  }
  if (state.used || (state.body.stream !== undefined && state.body.stream.locked)) throw new TypeError("Body is unusable: Body has already been read");
  state.used = true;
  if (state.body.stream === undefined) return state.body.produce();
  const reader = state.body.stream.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError("Received non-Uint8Array chunk");
    chunks.push(value);
  }
  return concatBytes(chunks);
}

function mimeType(state) {
  const type = state.headers.get("content-type");
  return type === null ? "" : type;
}

const methods = {
  get body() {
    const state = stateOf(this, "body");
    return state.body === null ? null : streamOf(state);
  },
  get bodyUsed() {
    const state = stateOf(this, "bodyUsed");
    return state.used;
  },
  async arrayBuffer() {
    return (await consume(this, "arrayBuffer")).buffer;
  },
  async bytes() {
    return consume(this, "bytes");
  },
  async blob() {
    const bytes = await consume(this, "blob");
    return new Blob([bytes], { type: mimeType(states.get(this)) });
  },
  async text() {
    return new TextDecoder().decode(await consume(this, "text"));
  },
  async json() {
    return JSON.parse(new TextDecoder().decode(await consume(this, "json")));
  },
  async formData() {
    const bytes = await consume(this, "formData");
    const type = mimeType(states.get(this));
    const essence = type.split(";")[0].trim().toLowerCase();
    if (essence === "multipart/form-data") {
      const mark = /;\s*boundary=("?)([^";]+)\1/i.exec(type);
      if (mark === null) throw new TypeError("Failed to parse body as FormData.");
      return multipart.decode(bytes, mark[2], FormData);
    }
    if (essence === "application/x-www-form-urlencoded") {
      const form = new FormData();
      for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(name, value);
      return form;
    }
    throw new TypeError('Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".');
  },
};

/** Puts the Body members on a class's prototype. */
function mixInto(prototype) {
  Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(methods));
  for (const name of Object.keys(methods)) Object.defineProperty(prototype, name, { enumerable: true });
}

/** A copy for clone(): the stream is teed (this side keeps one branch), bytes are produced again. */
function cloneBody(owner, method) {
  const state = stateOf(owner, method);
  if (state.used || (state.body !== null && state.body.stream !== undefined && state.body.stream.locked)) throw new TypeError(method + ": Body has already been consumed.");
  if (state.body === null) return null;
  if (state.body.stream === undefined) return { produce: state.body.produce, type: null };
  const [mine, theirs] = state.body.stream.tee();
  state.body.stream = usedWhenRead(mine, state);
  return { stream: theirs, type: null };
}

// This side's branch of a tee, read through a stream that marks the body used when it is read (while it is still
// the body's), as the stream streamOf makes does: reading the original through its own stream after a clone left
// it unused, and text() then read it again (review dec10; Node's is disturbed, and text() refuses).
function usedWhenRead(source, state) {
  let reader;
  const stream = new ReadableStream(
    {
      async pull(controller) {
        if (state.body.stream === stream) state.used = true;
        if (reader === undefined) reader = source.getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader === undefined ? source.cancel(reason) : reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return stream;
}

module.exports = { extract, attach, mixInto, cloneBody, Headers };
