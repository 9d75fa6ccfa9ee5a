// events.on(emitter, name, { signal, close, highWaterMark, lowWaterMark }): an async iterator of the
// event's argument arrays, as Node 22+ has it. Events not yet asked for are queued (the emitter is paused
// past highWaterMark, resumed under lowWaterMark); an 'error' event rejects the next read and ends it; a
// `close` event or return() ends it; the signal rejects with Node's AbortError.
const { AbortError, codeError, validateSignal } = require("./errors.cjs");
const { listen, onAbort } = require("./targets.cjs");

const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

function watermark(options, names, fallback) {
  for (const name of names) {
    const value = options[name];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw codeError(RangeError, 'The value of "options.' + names[0] + '" is out of range. It must be >= 1 && <= 9007199254740991. Received ' + String(value), "ERR_OUT_OF_RANGE");
    }
    return value;
  }
  return fallback;
}

module.exports = function on(emitter, name, options) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== "object") throw codeError(TypeError, 'The "options" argument must be of type object.', "ERR_INVALID_ARG_TYPE");
  const signal = options.signal;
  validateSignal(signal, "options.signal");
  if (signal !== undefined && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const highWaterMark = watermark(options, ["highWaterMark", "highWatermark"], Number.MAX_SAFE_INTEGER);
  const lowWaterMark = watermark(options, ["lowWaterMark", "lowWatermark"], 1);

  const events = [];
  const reads = [];
  const stops = [];
  let error = null;
  let finished = false;
  let paused = false;

  const done = function () {
    return { value: undefined, done: true };
  };
  const close = function () {
    while (stops.length > 0) stops.pop()();
    finished = true;
    while (reads.length > 0) reads.shift().resolve(done());
    return Promise.resolve(done());
  };
  const fail = function (err) {
    if (reads.length > 0) reads.shift().reject(err);
    else error = err;
    close();
  };
  const arrive = function (args) {
    if (reads.length > 0) {
      reads.shift().resolve({ value: args, done: false });
      return;
    }
    events.push(args);
    if (!paused && events.length > highWaterMark && typeof emitter.pause === "function") {
      paused = true;
      emitter.pause();
    }
  };

  const iterator = Object.setPrototypeOf(
    {
      next() {
        if (events.length > 0) {
          const value = events.shift();
          if (paused && events.length < lowWaterMark) {
            paused = false;
            emitter.resume();
          }
          return Promise.resolve({ value, done: false });
        }
        if (error !== null) {
          const failed = Promise.reject(error);
          error = null;
          return failed;
        }
        if (finished) return close();
        return new Promise(function (resolve, reject) {
          reads.push({ resolve, reject });
        });
      },
      return() {
        return close();
      },
      throw(err) {
        if (!(err instanceof Error)) throw codeError(TypeError, 'The "EventEmitter.AsyncIterator" property must be an instance of Error.', "ERR_INVALID_ARG_TYPE");
        fail(err);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    },
    AsyncIteratorPrototype,
  );

  stops.push(listen(emitter, name, arrive, false));
  if (name !== "error" && typeof emitter.on === "function") {
    stops.push(
      listen(
        emitter,
        "error",
        function (args) {
          fail(args[0]);
        },
        false,
      ),
    );
  }
  const closing = options.close;
  if (closing !== undefined && closing !== null) for (const event of closing) stops.push(listen(emitter, event, close, false));
  if (signal !== undefined) {
    stops.push(
      onAbort(signal, function () {
        fail(new AbortError(undefined, { cause: signal.reason }));
      }),
    );
  }
  return iterator;
};
