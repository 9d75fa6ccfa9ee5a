// events.once(emitter, name, { signal }): a promise of the event's arguments; an 'error' event first
// rejects it (for an EventEmitter), and so does the signal, with Node's AbortError.
const { AbortError, validateSignal } = require("./errors.cjs");
const { listen } = require("./targets.cjs");

module.exports = async function once(emitter, name, options) {
  const signal = options === undefined || options === null ? undefined : options.signal;
  validateSignal(signal, "options.signal");
  if (signal !== undefined && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
  return new Promise(function (resolve, reject) {
    let stopError = null;
    let stopAbort = null;
    const stopEvent = listen(
      emitter,
      name,
      function (args) {
        if (stopError !== null) stopError();
        if (stopAbort !== null) stopAbort();
        resolve(args);
      },
      true,
    );
    if (name !== "error" && typeof emitter.once === "function") {
      stopError = listen(
        emitter,
        "error",
        function (args) {
          stopEvent();
          if (stopAbort !== null) stopAbort();
          reject(args[0]);
        },
        true,
      );
    }
    if (signal !== undefined) {
      stopAbort = listen(
        signal,
        "abort",
        function () {
          stopEvent();
          if (stopError !== null) stopError();
          reject(new AbortError(undefined, { cause: signal.reason }));
        },
        true,
      );
    }
  });
};
