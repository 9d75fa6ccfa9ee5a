import fs from "node:fs";
const p = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map(), incl = new Map();
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(i, p.timeDeltas[i + 1] ?? 0);
let total = 0, idle = 0;
for (let i = 0; i < p.samples.length; i++) {
  const id = p.samples[i]; const d = p.timeDeltas[i] ?? 0;
  const n = byId.get(id); const name = n.callFrame.functionName;
  if (name === "(idle)") { idle += d; continue; }
  total += d;
  const key = `${name || "(anon)"} ${n.callFrame.url.split("/").slice(-1)[0]}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + d);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame; const k = `${f.functionName || "(anon)"} ${f.url.split("/").slice(-1)[0]}:${f.lineNumber}`;
    if (seen.has(k)) continue; seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + d);
  }
}
console.log(`busy ${(total/1000).toFixed(0)} ms idle ${(idle/1000).toFixed(0)} ms`);
const N = Number(process.argv[3] ?? 40);
console.log("--- self");
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log((v / total * 100).toFixed(1).padStart(5), k);
console.log("--- inclusive");
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log((v / total * 100).toFixed(1).padStart(5), k);
