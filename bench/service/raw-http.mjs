// The load client's HTTP: one keep-alive HTTP/1.1 connection per caller over a plain socket, one request
// at a time, the same request bytes every time. Lean on purpose (as wrk is): the client shares the machine's
// cores with the server, and undici's fetch costs it about 400 us of CPU per request, more than the server's
// main thread spends. It reads what the service sends: a status line, headers, a Content-Length body.
import net from "node:net";

/** A connection to `baseUrl` that sends `request` (method, path, headers, body); each call resolves with { status, body }. */
export function connection(baseUrl, { method, path, headers, body }) {
  const { hostname, port } = new URL(baseUrl);
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  const bytes = Buffer.from(`${head}\r\n${body ?? ""}`);
  let socket;
  let pending;
  let buffer = Buffer.alloc(0);

  function fail(error) {
    const waiting = pending;
    pending = undefined;
    buffer = Buffer.alloc(0);
    waiting?.reject(error);
  }

  function connect() {
    const own = net.connect({ host: hostname, port: Number(port) });
    own.setNoDelay(true);
    own.on("data", (chunk) => {
      if (socket === own) received(chunk);
    });
    own.on("error", (error) => {
      if (socket !== own) return;
      socket = undefined;
      fail(error);
    });
    own.on("close", () => {
      if (socket !== own) return;
      socket = undefined;
      fail(Object.assign(new Error("the server closed the connection"), { code: "ECONNRESET" }));
    });
    return own;
  }

  function received(chunk) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const end = buffer.indexOf("\r\n\r\n");
    if (!pending || end < 0) return;
    const header = buffer.toString("latin1", 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(header);
    if (!length) {
      const broken = socket;
      socket = undefined;
      broken.destroy();
      return fail(new Error(`an answer without Content-Length: ${header.slice(0, 200)}`));
    }
    const total = end + 4 + Number(length[1]);
    if (buffer.length < total) return;
    const answer = { status: Number(header.slice(9, 12)), body: buffer.toString("utf8", end + 4, total) };
    buffer = buffer.subarray(total);
    // The service closes after some answers (a refusal before the body, shutting down): the next request reconnects.
    if (/\r\nconnection: *close/i.test(header)) {
      const closing = socket;
      socket = undefined;
      closing.destroy();
    }
    const waiting = pending;
    pending = undefined;
    waiting.resolve(answer);
  }

  function request() {
    socket ??= connect();
    return new Promise((resolve, reject) => {
      pending = { resolve, reject };
      socket.write(bytes);
    });
  }
  request.close = () => {
    const open = socket;
    socket = undefined;
    open?.destroy();
  };
  return request;
}
