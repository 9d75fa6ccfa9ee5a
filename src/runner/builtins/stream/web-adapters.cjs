// Readable.fromWeb/toWeb, Writable.fromWeb/toWeb and Duplex.fromWeb/toWeb: readable-stream declares them but
// leaves their adapters out (its lazyWebStreams() is an empty object: "newReadableStreamFromStreamReadable is
// not a function"). These follow Node's lib/internal/webstreams/adapters.js over the realm's web streams.
const { Buffer } = require("buffer");
const { invalidArgType } = require("../shared/node-errors.cjs");

module.exports = function addWebAdapters(Stream) {
  const { Readable, Writable, Duplex } = Stream;
  const finished = Stream.finished;
  const destroy = Stream.destroy;
  const web = () => require("stream/web");

  function prematureClose() {
    const error = new Error("Premature close");
    error.code = "ERR_STREAM_PREMATURE_CLOSE";
    return error;
  }
  function deferred() {
    let resolve;
    let reject;
    const promise = new Promise(function (res, rej) {
      resolve = res;
      reject = rej;
    });
    return { promise: promise, resolve: resolve, reject: reject };
  }
  const isWritableEnded = (stream) => stream.writableEnded === true || (stream._writableState !== undefined && stream._writableState.ending === true);
  /** Calls a stream's callback; what it throws goes to `onThrow` (Node's adapters: destroy the stream, or rethrow later). */
  function callBack(callback, error, onThrow) {
    try {
      callback(error);
    } catch (thrown) {
      onThrow(thrown);
    }
  }
  const rethrowLater = (thrown) => process.nextTick(function () {
    throw thrown;
  });
  const destroyLater = (stream) => (thrown) => process.nextTick(function () {
    destroy(stream, thrown);
  });
  const destroyNow = (stream) => (thrown) => destroy(stream, thrown);
  /** A Node stream's read(): the web reader's next chunk pushed (null at its end), its error destroys the stream. */
  function pull(stream, reader) {
    reader.read().then(function (chunk) {
      if (chunk.done) stream.push(null);
      else stream.push(chunk.value);
    }, function (error) {
      destroy(stream, error);
    });
  }
  /** A Node stream's write(): the chunk written once the web writer is ready; `done` gets its error or nothing. */
  function writeWhenReady(writer, chunk, done) {
    writer.ready.then(function () {
      return writer.write(chunk).then(function () {
        done();
      }, done);
    }, done);
  }

  function newReadableStreamFromStreamReadable(streamReadable, options) {
    if (!(streamReadable instanceof Readable) && !(streamReadable !== null && typeof streamReadable === "object" && typeof streamReadable.on === "function" && typeof streamReadable.read === "function")) throw invalidArgType("streamReadable", "an instance of stream.Readable", streamReadable);
    const { ReadableStream, CountQueuingStrategy, ByteLengthQueuingStrategy } = web();
    const objectMode = streamReadable.readableObjectMode === true;
    const highWaterMark = streamReadable.readableHighWaterMark;
    const strategy = options !== undefined && options !== null && options.strategy !== undefined ? options.strategy : objectMode ? new CountQueuingStrategy({ highWaterMark: highWaterMark }) : new ByteLengthQueuingStrategy({ highWaterMark: highWaterMark });
    let controller;
    let wasCanceled = false;
    function onData(chunk) {
      // Buffers become plain Uint8Arrays (copies: a pooled Buffer's ArrayBuffer is not the chunk), as in Node.
      if (Buffer.isBuffer(chunk) && !objectMode) chunk = new Uint8Array(chunk);
      controller.enqueue(chunk);
      if (controller.desiredSize <= 0) streamReadable.pause();
    }
    function onFinished(error) {
      streamReadable.removeListener("data", onData);
      if (error !== undefined && error !== null && error.code === "ERR_STREAM_PREMATURE_CLOSE") {
        const abort = new DOMException("The operation was aborted", "AbortError");
        abort.cause = error;
        error = abort;
      }
      if (wasCanceled) return;
      if (error !== undefined && error !== null) controller.error(error);
      else controller.close();
    }
    streamReadable.pause();
    finished(streamReadable, onFinished);
    streamReadable.on("data", onData);
    return new ReadableStream({
      start(c) {
        controller = c;
      },
      pull() {
        streamReadable.resume();
      },
      cancel(reason) {
        wasCanceled = true;
        destroy(streamReadable, reason);
      },
    }, strategy);
  }

  function newStreamReadableFromReadableStream(readableStream, options) {
    const { ReadableStream } = web();
    if (!(readableStream instanceof ReadableStream)) throw invalidArgType("readableStream", "an instance of ReadableStream", readableStream);
    const o = options !== undefined && options !== null ? options : {};
    const reader = readableStream.getReader();
    let closed = false;
    const readable = new Readable({
      objectMode: o.objectMode === true,
      highWaterMark: o.highWaterMark,
      encoding: o.encoding,
      signal: o.signal,
      read() {
        pull(readable, reader);
      },
      destroy(error, callback) {
        const done = () => callBack(callback, error, rethrowLater);
        if (!closed) {
          reader.cancel(error).then(done, done);
          return;
        }
        done();
      },
    });
    reader.closed.then(function () {
      closed = true;
    }, function (error) {
      closed = true;
      destroy(readable, error);
    });
    return readable;
  }

  function newWritableStreamFromStreamWritable(streamWritable) {
    if (!(streamWritable instanceof Writable) && !(streamWritable !== null && typeof streamWritable === "object" && typeof streamWritable.write === "function" && typeof streamWritable.on === "function")) throw invalidArgType("streamWritable", "an instance of stream.Writable", streamWritable);
    const { WritableStream, CountQueuingStrategy } = web();
    const highWaterMark = streamWritable.writableHighWaterMark;
    const strategy = streamWritable.writableObjectMode ? new CountQueuingStrategy({ highWaterMark: highWaterMark }) : { highWaterMark: highWaterMark };
    let controller;
    let backpressure;
    let closed;
    function onDrain() {
      if (backpressure !== undefined) backpressure.resolve();
    }
    finished(streamWritable, function (error) {
      streamWritable.removeListener("drain", onDrain);
      if (error !== undefined && error !== null && error.code === "ERR_STREAM_PREMATURE_CLOSE") {
        const abort = new DOMException("The operation was aborted", "AbortError");
        abort.cause = error;
        error = abort;
      }
      if (error !== undefined && error !== null) {
        if (backpressure !== undefined) backpressure.reject(error);
        if (closed !== undefined) {
          closed.reject(error);
          closed = undefined;
        }
        if (controller !== undefined) controller.error(error);
        controller = undefined;
        return;
      }
      if (closed !== undefined) {
        closed.resolve();
        closed = undefined;
        return;
      }
      if (controller !== undefined) controller.error(new DOMException("The operation was aborted", "AbortError"));
      controller = undefined;
    });
    streamWritable.on("drain", onDrain);
    return new WritableStream({
      start(c) {
        controller = c;
      },
      write(chunk) {
        if (streamWritable.writableNeedDrain || !streamWritable.write(chunk)) {
          backpressure = deferred();
          return backpressure.promise.finally(function () {
            backpressure = undefined;
          });
        }
        return undefined;
      },
      abort(reason) {
        destroy(streamWritable, reason);
      },
      close() {
        if (closed === undefined && !isWritableEnded(streamWritable)) {
          closed = deferred();
          streamWritable.end();
          return closed.promise;
        }
        controller = undefined;
        return Promise.resolve();
      },
    }, strategy);
  }

  function newStreamWritableFromWritableStream(writableStream, options) {
    const { WritableStream } = web();
    if (!(writableStream instanceof WritableStream)) throw invalidArgType("writableStream", "an instance of WritableStream", writableStream);
    const o = options !== undefined && options !== null ? options : {};
    const objectMode = o.objectMode === true;
    const decodeStrings = o.decodeStrings !== false;
    const writer = writableStream.getWriter();
    let closed = false;
    const writable = new Writable({
      highWaterMark: o.highWaterMark,
      objectMode: objectMode,
      decodeStrings: decodeStrings,
      signal: o.signal,
      writev(chunks, callback) {
        function done(error) {
          const errors = Array.isArray(error) ? error.filter(function (e) {
            return e;
          }) : error ? [error] : [];
          callBack(callback, errors.length === 0 ? undefined : errors[0], destroyLater(writable));
        }
        writer.ready.then(function () {
          return Promise.all(chunks.map(function (data) {
            return writer.write(data.chunk);
          })).then(function () {
            done();
          }, done);
        }, done);
      },
      write(chunk, encoding, callback) {
        if (typeof chunk === "string" && decodeStrings && !objectMode) {
          chunk = new Uint8Array(Buffer.from(chunk, encoding));
        }
        writeWhenReady(writer, chunk, (error) => callBack(callback, error, destroyNow(writable)));
      },
      destroy(error, callback) {
        const done = () => callBack(callback, error, rethrowLater);
        if (!closed) {
          if (error !== undefined && error !== null) writer.abort(error).then(done, done);
          else writer.close().then(done, done);
          return;
        }
        done();
      },
      final(callback) {
        const done = (error) => callBack(callback, error, destroyLater(writable));
        if (!closed) writer.close().then(function () {
          done();
        }, done);
      },
    });
    writer.closed.then(function () {
      closed = true;
      if (!isWritableEnded(writable)) destroy(writable, prematureClose());
    }, function (error) {
      closed = true;
      destroy(writable, error);
    });
    return writable;
  }

  Readable.fromWeb = function fromWeb(readableStream, options) {
    return newStreamReadableFromReadableStream(readableStream, options);
  };
  Readable.toWeb = function toWeb(streamReadable, options) {
    return newReadableStreamFromStreamReadable(streamReadable, options);
  };
  Writable.fromWeb = function fromWeb(writableStream, options) {
    return newStreamWritableFromWritableStream(writableStream, options);
  };
  Writable.toWeb = function toWeb(streamWritable) {
    return newWritableStreamFromStreamWritable(streamWritable);
  };
  function newStreamDuplexFromReadableWritablePair(pair, options) {
    const { ReadableStream, WritableStream } = web();
    if (pair === null || typeof pair !== "object") throw invalidArgType("pair", "of type object", pair);
    if (!(pair.readable instanceof ReadableStream)) throw invalidArgType("pair.readable", "an instance of ReadableStream", pair.readable);
    if (!(pair.writable instanceof WritableStream)) throw invalidArgType("pair.writable", "an instance of WritableStream", pair.writable);
    const o = options !== undefined && options !== null ? options : {};
    const objectMode = o.objectMode === true;
    const decodeStrings = o.decodeStrings !== false;
    const writer = pair.writable.getWriter();
    const reader = pair.readable.getReader();
    let writableClosed = false;
    let readableClosed = false;
    const duplex = new Duplex({
      allowHalfOpen: o.allowHalfOpen === true,
      highWaterMark: o.highWaterMark,
      objectMode: objectMode,
      encoding: o.encoding,
      decodeStrings: decodeStrings,
      signal: o.signal,
      write(chunk, encoding, callback) {
        if (typeof chunk === "string" && decodeStrings && !objectMode) chunk = new Uint8Array(Buffer.from(chunk, encoding));
        writeWhenReady(writer, chunk, (error) => callBack(callback, error, destroyNow(duplex)));
      },
      final(callback) {
        const done = (error) => callBack(callback, error, destroyLater(duplex));
        if (!writableClosed) writer.close().then(function () {
          done();
        }, done);
      },
      read() {
        pull(duplex, reader);
      },
      destroy(error, callback) {
        const done = () => callBack(callback, error, rethrowLater);
        if (!writableClosed || !readableClosed) {
          Promise.all([writableClosed ? undefined : writer.abort(error), readableClosed ? undefined : reader.cancel(error)]).then(done, done);
          return;
        }
        done();
      },
    });
    writer.closed.then(function () {
      writableClosed = true;
      if (!isWritableEnded(duplex)) destroy(duplex, prematureClose());
    }, function (error) {
      writableClosed = true;
      readableClosed = true;
      destroy(duplex, error);
    });
    reader.closed.then(function () {
      readableClosed = true;
    }, function (error) {
      writableClosed = true;
      readableClosed = true;
      destroy(duplex, error);
    });
    return duplex;
  }

  Duplex.fromWeb = function fromWeb(pair, options) {
    return newStreamDuplexFromReadableWritablePair(pair, options);
  };
  Duplex.toWeb = function toWeb(duplex) {
    return { readable: newReadableStreamFromStreamReadable(duplex), writable: newWritableStreamFromStreamWritable(duplex) };
  };
};
