// A multipart/form-data body parsed from a Buffer: busboy reads its parts with Node's Buffer#latin1Slice.
const busboy = require("busboy");
exports.check = () =>
  new Promise((resolve, reject) => {
    const boundary = "----tenantbox";
    const body = Buffer.from(
      [`--${boundary}`, 'Content-Disposition: form-data; name="title"', "", "Hello wörld", `--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="a.txt"', "Content-Type: text/plain", "", "file body", `--${boundary}--`, ""].join("\r\n"),
    );
    const bb = busboy({ headers: { "content-type": `multipart/form-data; boundary=${boundary}` } });
    const out = [];
    bb.on("field", (name, value) => out.push(["field", name, value]));
    bb.on("file", (name, stream, info) => {
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      stream.on("end", () => out.push(["file", name, info.filename, info.mimeType, Buffer.concat(chunks).toString()]));
    });
    bb.on("close", () => resolve(out));
    bb.on("error", reject);
    bb.end(body);
  });
exports.expected = () => [["field", "title", "Hello wörld"], ["file", "file", "a.txt", "text/plain", "file body"]];
