import { describe, expect, it } from "vitest";
import { redactHostPaths } from "../src/runner/tool-dispatch.js";

// Layer 5: a tool handler's error message reaches the tenant with the host's paths blanked. Issue 10 (fix 8):
// paths after ":" and "//" got through (config:/abs/path, file:/x, //x).
describe("redactHostPaths", () => {
  it("blanks absolute paths, file URLs, drives and shares", () => {
    expect(redactHostPaths("ENOENT: no such file or directory, open '/srv/host/secrets/key.pem'")).toBe("ENOENT: no such file or directory, open '<path>'");
    expect(redactHostPaths("failed at /home/app/dist/index.js:12:5")).toBe("failed at <path>");
    expect(redactHostPaths("see file:///etc/tenantbox/config.json")).toBe("see file:<path>");
    expect(redactHostPaths("C:\\Users\\svc\\secret.txt missing")).toBe("<path> missing");
    expect(redactHostPaths("share \\\\fileserver\\configs unreachable")).toBe("share <path> unreachable");
    expect(redactHostPaths("path=/var/lib/tenantbox/db.sqlite,")).toBe("path=<path>");
  });

  it("blanks paths after a colon and after a double slash, even of one segment", () => {
    expect(redactHostPaths("config:/etc/tenantbox/service.json")).toBe("config:<path>");
    expect(redactHostPaths("bad file:/x")).toBe("bad file:<path>");
    expect(redactHostPaths("open //x failed")).toBe("open <path> failed");
    expect(redactHostPaths("s3://bucket/key")).toBe("s3:<path>");
    expect(redactHostPaths("error:/root/.ssh/id_rsa")).toBe("error:<path>");
    expect(redactHostPaths("at https://example.com/a:/srv/x")).toBe("at https://example.com/a:<path>");
  });

  it("keeps web URLs, relative paths and ordinary words", () => {
    expect(redactHostPaths("see https://docs.example/a/b")).toBe("see https://docs.example/a/b");
    expect(redactHostPaths("see (http://host:8080/x/y)")).toBe("see (http://host:8080/x/y)");
    expect(redactHostPaths("module lib/x.js and ./a/b and and/or 1/2")).toBe("module lib/x.js and ./a/b and and/or 1/2");
    expect(redactHostPaths("rate is 5 req/s; /v1 only")).toBe("rate is 5 req/s; /v1 only");
  });

  it("is bounded, and linear on long hostile input", () => {
    expect(redactHostPaths("x".repeat(10_000))).toHaveLength(2048);
    expect(redactHostPaths("//x ".repeat(2000)).length).toBeLessThanOrEqual(2048);
    for (const hostile of ["/".repeat(5e6), "/a".repeat(3e6), ":/".repeat(3e6), "a:\\".repeat(2e6), "https:/".repeat(1e6), `/${"a".repeat(5e6)}`]) {
      const started = performance.now();
      const out = redactHostPaths(hostile);
      expect(out.length).toBeLessThanOrEqual(2048);
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});
