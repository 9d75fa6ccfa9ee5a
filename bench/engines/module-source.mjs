// Worker-side source cache of the vm2 and floor engines: like tenantbox's loader, every call stats the
// file and re-reads it only when it changed, so a call never serves a stale version.
import fs from "node:fs";

/** path -> { signature, source, ...whatever the engine caches with it } */
export function sourceCache() {
  const entries = new Map();
  return function load(filename, compile = () => ({})) {
    const stat = fs.statSync(filename, { bigint: true });
    const signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    let entry = entries.get(filename);
    if (!entry || entry.signature !== signature) {
      const source = fs.readFileSync(filename, "utf8");
      entry = { signature, source, ...compile(source) };
      entries.set(filename, entry);
    }
    return entry;
  };
}
