// Node's stream/web, and the web stream globals: the WHATWG reference implementation (web-streams-polyfill),
// plus TextEncoderStream and TextDecoderStream, which it lacks, on its TransformStream.
const streams = require("web-streams-polyfill");

class TextEncoderStream extends streams.TransformStream {
  constructor() {
    const encoder = new TextEncoder();
    // A lone high surrogate at a chunk's end waits for the next chunk, as the spec's encoder does.
    let pending = "";
    super({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pending !== "") controller.enqueue(encoder.encode(pending));
      },
    });
  }
  get encoding() {
    return "utf-8";
  }
}

class TextDecoderStream extends streams.TransformStream {
  #decoder;
  constructor(label, options) {
    const decoder = new TextDecoder(label, options);
    super({
      transform(chunk, controller) {
        const text = decoder.decode(chunk, { stream: true });
        if (text !== "") controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text !== "") controller.enqueue(text);
      },
    });
    this.#decoder = decoder;
  }
  get encoding() {
    return this.#decoder.encoding;
  }
  get fatal() {
    return this.#decoder.fatal;
  }
  get ignoreBOM() {
    return this.#decoder.ignoreBOM;
  }
}

module.exports = Object.assign({}, streams, { TextEncoderStream, TextDecoderStream });
