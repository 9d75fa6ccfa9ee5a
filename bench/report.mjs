// Turns the measured figures into the markdown written to bench/results.md.

const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)) : "n/a");
const rate = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
const mb = (x) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const ratio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x` : "n/a");
const yes = (ok) => (ok ? "yes" : "**no**");

/** The new figure against the previous run's, as "+12% better" / "-30% worse" (within 10%: "same"). */
function change(now, old, higherIsBetter) {
  if (!Number.isFinite(now) || !Number.isFinite(old) || old === 0 || now === 0) return "n/a";
  const better = higherIsBetter ? now / old : old / now;
  if (Math.abs(better - 1) < 0.1) return "same";
  return better > 1 ? `${ratio(better)} better` : `**${ratio(1 / better)} worse**`;
}

/**
 * `table` with the previous run's value of each row beside its own: rows are matched by their label cells
 * (all but the last `valueCells`; sample counts "n=..." ignored), and the first value
 * cell is the one shown.
 */
function besidePrevious(table, previousTable, commit, valueCells = 1) {
  if (!previousTable) return table;
  const cells = (row) => row.replace(/ \|$/, "").split(" | ");
  // A label that repeats ("... their outcomes") is told apart by its occurrence.
  const keyed = (rows) => {
    const seen = new Map();
    return rows.map((row) => {
      const label = cells(row).slice(0, -valueCells).join("|").replace(/n=\d+/g, "n=#");
      const n = (seen.get(label) ?? 0) + 1;
      seen.set(label, n);
      return `${label}#${n}`;
    });
  };
  const oldRows = previousTable.split("\n");
  const oldKeys = keyed(oldRows);
  const old = new Map(oldRows.map((row, i) => [oldKeys[i], cells(row).at(-valueCells)]));
  const rows = table.split("\n");
  const keys = keyed(rows);
  return rows
    .map((row, i) => {
      if (i === 0) return `${row} previous run (${commit}) |`;
      if (i === 1) return `${row} ---: |`;
      return `${row} ${old.get(keys[i]) ?? "n/a"} |`;
    })
    .join("\n");
}

function busy({ loadAverageAtStart, otherCores, benchCores }) {
  const other = Number.isFinite(otherCores) ? `${otherCores.toFixed(2)} cores on average (the bench itself: ${benchCores.toFixed(2)})` : "unknown";
  const warn = otherCores > 0.25 ? " -- **the machine was shared with other work: absolute numbers are pessimistic and noisy, ratios hold better**" : "";
  return `${other}; load average at start ${loadAverageAtStart.toFixed(2)}${warn}`;
}

const WORKLOADS = {
  small: "small hook (sum 5 items)",
  tools: "3 sequential tool calls",
  heavy: "CPU-heavy (~10 ms raw)",
};

/**
 * One row per figure, one column per engine, then the ratios tenantbox/vm2 and tenantbox/floor, always
 * written as "how many times better tenantbox is": throughput tb/other, latency and memory other/tb.
 */
function engineTable(engines, previous) {
  const by = Object.fromEntries(engines.map((e) => [e.engine, e]));
  const before = previous?.engines?.find((e) => e.engine === "tenantbox");
  const names = ["tenantbox", "tenantbox-thread", "vm2", "floor"].filter((n) => by[n]);
  // Ratios are taken against the peer and the floor; tenantbox-thread is a column of its own.
  const peers = names.filter((n) => n === "vm2" || n === "floor");
  const rows = [];
  const row = (label, get, format, higherIsBetter) => {
    const values = names.map((n) => get(by[n]));
    const tb = by.tenantbox ? get(by.tenantbox) : NaN;
    const rel = (other) => (higherIsBetter ? tb / other : other / tb);
    const cells = [label, ...values.map(format)];
    if (by.tenantbox) for (const other of peers) cells.push(ratio(rel(get(by[other]))));
    if (before && by.tenantbox) {
      let old = NaN;
      try {
        old = get(before);
      } catch {
        /* a figure the previous run did not have */
      }
      cells.push(format(old), change(tb, old, higherIsBetter));
    }
    rows.push(`| ${cells.join(" | ")} |`);
  };
  for (const [key, label] of Object.entries(WORKLOADS)) {
    row(`${label}: p50 ms, sequential`, (e) => e.sequential[key].p50, ms, false);
    row(`${label}: p99 ms, sequential`, (e) => e.sequential[key].p99, ms, false);
    row(`${label}: calls/s at concurrency 32`, (e) => e.throughput[key].callsPerSecond, rate, true);
    row(`${label}: p99 ms at concurrency 32`, (e) => e.throughput[key].latency.p99, ms, false);
  }
  row("first call of a fresh 10 KB module, warm runtime: p50 ms", (e) => e.firstCall.p50, ms, false);
  row("first call of a fresh 10 KB module, warm runtime: max ms", (e) => e.firstCall.max, ms, false);
  row("first call of a fresh 10 KB module, the run's first 5 (loader not yet JIT-optimised): p50 ms", (e) => e.firstCall.cold.p50, ms, false);
  row("one tool call's cost: (p50 of a hook making 20 sequential tool calls - small p50) / 20, ms", (e) => (e.sequential.tools20.p50 - e.sequential.small.p50) / 20, ms, false);
  row("RSS MB before the engine started (Node + harness)", (e) => e.memory.baselineMb, mb, false);
  row("peak RSS MB, the process and its child processes, sampled every 50 ms", (e) => e.memory.peakMb, mb, false);
  row("peak RSS MB, sum of each process's kernel high-water mark", (e) => e.memory.highWaterMb, mb, false);
  row("host event-loop lag p99 ms during small-hook throughput", (e) => e.throughput.small.loopLag.p99, ms, false);
  const header = [
    "figure",
    ...names,
    ...(by.tenantbox ? peers.map((o) => `tenantbox vs ${o}`) : []),
    ...(before && by.tenantbox ? [`tenantbox, previous run (${previous.commit})`, "vs previous"] : []),
  ];
  return [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`, ...rows].join("\n");
}

function pathologicalRows(p) {
  const outcomes = Object.entries(p.outcomes).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `| | ${p.tenants} tenants deploy a new version of a pathological file every round (validator regexes, 80k-char parse errors, 2,000-spelling resolution floods, 60k warnings), call it, list their modules and validate it, for ${p.windowMs / 1000} s (${p.rounds} rounds): lag p50 / p99 / max ms | ${ms(p.lag.p50)} / ${ms(p.lag.p99)} / ${ms(p.lag.max)} |`,
    `| | ... their outcomes | ${outcomes} |`,
    `| | ... another tenant's sequential small hooks meanwhile: p50 / p99 ms (n=${p.bystander.n}) | ${ms(p.bystander.p50)} / ${ms(p.bystander.p99)} |`,
  ];
}

function limitsTable(limits) {
  const { recovery: r, eventLoopLag: l, fairness: f } = limits;
  const outcomes = Object.entries(l.outcomes).map(([k, v]) => `${k} ${v}`).join(", ");
  const aOut = (o) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    "| scenario | figure | value |",
    "| --- | --- | ---: |",
    `| recovery, timeout ${r.timeoutMs} ms | one spinning call: TIMEOUT result after (p50), ms | ${ms(r.timeoutLatency.p50)} |`,
    `| | one spinning call: TIMEOUT -> next successful call, p50 / max ms (n=${r.single.n}) | ${ms(r.single.p50)} / ${ms(r.single.max)} |`,
    `| | every worker spins at once: TIMEOUT -> first / all ${limits.threads} next calls ok, p50 ms (n=${r.poolSpin.all.n}) | ${ms(r.poolSpin.first.p50)} / ${ms(r.poolSpin.all.p50)} |`,
    `| | every worker heap-bombs at once (workers, or the sandbox process, replaced): MEMORY_LIMIT -> first / all next calls ok, p50 ms (n=${r.poolBomb.all.n}) | ${ms(r.poolBomb.first.p50)} / ${ms(r.poolBomb.all.p50)} |`,
    `| | every worker stuck in a regex (hard stop after +${r.hardStopGraceMs} ms, workers replaced): TIMEOUT after, ms | ${ms(r.poolHardStop.stopLatency.p50)} |`,
    `| | ... then TIMEOUT -> first / all next calls ok, p50 ms (n=${r.poolHardStop.all.n}) | ${ms(r.poolHardStop.first.p50)} / ${ms(r.poolHardStop.all.p50)} |`,
    `| host event loop | idle runtime: lag p99 / max ms | ${ms(l.idle.p99)} / ${ms(l.idle.max)} |`,
    `| | ${l.attackers} tenants running infinite loops and heap bombs non-stop for ${l.windowMs / 1000} s: lag p50 / p99 / max ms | ${ms(l.hostile.p50)} / ${ms(l.hostile.p99)} / ${ms(l.hostile.max)} |`,
    `| | ... their outcomes | ${outcomes} |`,
    `| | ... another tenant's sequential small hooks meanwhile: p50 / p99 ms (n=${l.bystander.n}) | ${ms(l.bystander.p50)} / ${ms(l.bystander.p99)} |`,
    ...(limits.pathologicalLag ? pathologicalRows(limits.pathologicalLag) : []),
    `| fairness | tenant B alone, sequential small hooks: p50 / p99 ms (n=${f.unloaded.n}) | ${ms(f.unloaded.p50)} / ${ms(f.unloaded.p99)} |`,
    `| | A keeps ${f.inFlight} small hooks in flight (${f.windowMs / 1000} s): B p50 / p99 ms (n=${f.floodSmall.b.n}); p99 vs alone | ${ms(f.floodSmall.b.p50)} / ${ms(f.floodSmall.b.p99)}; ${ratio(f.floodSmall.p99Ratio)} |`,
    `| | ... A's outcomes | ${aOut(f.floodSmall.aOutcomes)} |`,
    `| | A keeps ${f.inFlight} in flight, ${Math.round(f.floodWithLoops.loopShare * 100)}% infinite loops (timeout ${f.loopTimeoutMs} ms): B p50 / p99 ms (n=${f.floodWithLoops.b.n}); p99 vs alone | ${ms(f.floodWithLoops.b.p50)} / ${ms(f.floodWithLoops.b.p99)}; ${ratio(f.floodWithLoops.p99Ratio)} |`,
    `| | ... A's outcomes | ${aOut(f.floodWithLoops.aOutcomes)} |`,
    ...(f.limited
      ? [
          `| | same flood with loops, runtime with \`maxConcurrentPerTenant: ${f.limited.maxConcurrentPerTenant}\`: B alone p99 ms (n=${f.limited.unloaded.n}) | ${ms(f.limited.unloaded.p99)} |`,
          `| | ... B under A's flood: p50 / p99 ms (n=${f.limited.floodWithLoops.b.n}); p99 vs alone | ${ms(f.limited.floodWithLoops.b.p50)} / ${ms(f.limited.floodWithLoops.b.p99)}; ${ratio(f.limited.floodWithLoops.p99Ratio)} |`,
          `| | ... A's outcomes | ${aOut(f.limited.floodWithLoops.aOutcomes)} |`,
        ]
      : []),
  ].join("\n");
}

/** tenantbox and the floor's CPU-heavy calls interleaved in one process (suite-paired.mjs). */
function pairedTable(paired) {
  const { tenantbox: tb, floor } = paired;
  return [
    "| figure | tenantbox | floor | tenantbox vs floor |",
    "| --- | ---: | ---: | ---: |",
    `| p50 ms, sequential (${paired.pairs} pairs, alternating) | ${ms(tb.sequential.p50)} | ${ms(floor.sequential.p50)} | ${ratio(floor.sequential.p50 / tb.sequential.p50)} |`,
    `| p99 ms, sequential | ${ms(tb.sequential.p99)} | ${ms(floor.sequential.p99)} | ${ratio(floor.sequential.p99 / tb.sequential.p99)} |`,
    `| each pair's tenantbox / floor time: p50 (p10-p90) | ${ratio(paired.pairRatio.p50)} (${ratio(paired.pairRatio.p10)}-${ratio(paired.pairRatio.p90)}) | - | - |`,
    `| calls/s at concurrency ${paired.concurrency} (${paired.rounds} alternating ${paired.windowMs} ms windows each) | ${rate(tb.callsPerSecond)} | ${rate(floor.callsPerSecond)} | ${ratio(tb.callsPerSecond / floor.callsPerSecond)} |`,
  ].join("\n");
}

/** The CPU-heavy ratios to the floor (slowdowns: above 1 tenantbox is slower): interleaved when measured so. */
function heavyVsFloor(by, paired) {
  if (paired) return { p50: paired.tenantbox.sequential.p50 / paired.floor.sequential.p50, rate: paired.floor.callsPerSecond / paired.tenantbox.callsPerSecond, how: "interleaved" };
  if (by.floor) return { p50: by.tenantbox.sequential.heavy.p50 / by.floor.sequential.heavy.p50, rate: by.floor.throughput.heavy.callsPerSecond / by.tenantbox.throughput.heavy.callsPerSecond, how: "engine runs" };
  return undefined;
}

function targetsTable(engines, limits, paired) {
  const by = Object.fromEntries(engines.map((e) => [e.engine, e]));
  const tb = by.tenantbox;
  if (!tb) return "";
  const rows = [];
  const add = (target, measured, ok) => rows.push(`| ${target} | ${measured} | ${ok === undefined ? "n/a" : yes(ok)} |`);
  const tput = tb.throughput.small.callsPerSecond;
  if (by.vm2) add("small hook throughput >= 10x vm2", ratio(tput / by.vm2.throughput.small.callsPerSecond), tput >= 10 * by.vm2.throughput.small.callsPerSecond);
  if (by.floor) add("small hook throughput >= floor", ratio(tput / by.floor.throughput.small.callsPerSecond), tput >= by.floor.throughput.small.callsPerSecond);
  add("small hook warm p50 < 0.3 ms", `${ms(tb.sequential.small.p50)} ms`, tb.sequential.small.p50 < 0.3);
  add("small hook warm p99 < 2 ms", `${ms(tb.sequential.small.p99)} ms`, tb.sequential.small.p99 < 2);
  add("first call of a new 10 KB module <= 1.5 ms (p50, warm runtime)", `${ms(tb.firstCall.p50)} ms`, tb.firstCall.p50 <= 1.5);
  add("... the first 5 of a fresh process <= 3 ms (p50)", `${ms(tb.firstCall.cold.p50)} ms`, tb.firstCall.cold.p50 <= 3);
  add("small hook throughput >= 14,000 calls/s at concurrency 32", rate(tput), tput >= 14_000);
  add("small hook p50 <= 0.15 ms sequential", `${ms(tb.sequential.small.p50)} ms`, tb.sequential.small.p50 <= 0.15);
  const heavy = heavyVsFloor(by, paired);
  if (heavy) add(`CPU-heavy hook within 1.2x of the floor (p50 / throughput; ${heavy.how})`, `${ratio(heavy.p50)} / ${ratio(heavy.rate)}`, heavy.p50 <= 1.2 && heavy.rate <= 1.2);
  if (limits) {
    const r = limits.recovery;
    add("timed-out infinite loop: pool recovers < 100 ms (every worker spinning, all next calls ok, max)", `${ms(r.poolSpin.all.max)} ms`, r.poolSpin.all.max < 100);
    add("host event-loop lag p99 < 20 ms under loops and heap bombs", `${ms(limits.eventLoopLag.hostile.p99)} ms`, limits.eventLoopLag.hostile.p99 < 20);
    if (limits.pathologicalLag) {
      const p = limits.pathologicalLag.lag;
      add("host event-loop lag p99 < 20 ms and max < 100 ms while tenants deploy and call pathological files", `${ms(p.p99)} / ${ms(p.max)} ms`, p.p99 < 20 && p.max < 100);
    }
    const f = limits.fairness.floodWithLoops;
    add(`fairness: B p99 within 3x of alone while A floods (${limits.fairness.inFlight} in flight, some looping), default options`, ratio(f.p99Ratio), f.p99Ratio <= 3);
    const l = limits.fairness.limited;
    if (l) add(`... the same with \`maxConcurrentPerTenant: ${l.maxConcurrentPerTenant}\``, ratio(l.floodWithLoops.p99Ratio), l.floodWithLoops.p99Ratio <= 3);
  }
  return ["| target | measured | met |", "| --- | ---: | :---: |", ...rows].join("\n");
}

/**
 * The report; with `previous` (the figures committed before this run: { engines, limits, commit }), every
 * tenantbox figure stands beside the previous run's, so that a regression shows.
 */
const usFixed = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "n/a");

/** Where a fresh module's first call goes (ExecuteStats of each first call: measure.mjs firstCalls), beside the floor. */
function firstCallTable(tb, floor, work) {
  const parts = tb.firstCall.parts;
  const rows = ["| part of a fresh 10 KB module's first call, p50 ms | warm runtime | the run's first 5 |", "| --- | ---: | ---: |"];
  const row = (label, warm, cold) => rows.push(`| ${label} | ${ms(warm)} | ${ms(cold)} |`);
  row("the call, call to value", tb.firstCall.p50, tb.firstCall.cold.p50);
  row("... loading: the new file read, validated and transformed on a loader thread, with the hops there and back (ExecuteStats.loadMs)", parts.warm.load, parts.cold.load);
  row("... inside the sandbox process: compiling the new version, its first run (durationMs)", parts.warm.inside, parts.cold.inside);
  row("... the rest: queueing, the hops to the sandbox process and back (totalMs - loadMs - durationMs)", parts.warm.rest, parts.cold.rest);
  if (floor?.firstCall) row("the floor's first call (read, vm.Script compile and run in a piscina worker: no validation, no transform)", floor.firstCall.p50, floor.firstCall.cold.p50);
  if (work) {
    // In-process, one thread (suite-breakdown.mjs firstCallWork): what no hop or copy adds.
    row("the work no call can skip, in one thread (p50, warm): the loader's pipeline + V8's compile and first run", work.loader.p50 + work.engine.p50, NaN);
    row("... the loader's pipeline for the file: pre-scan, parse, rules, transform, hash", work.loader.p50, NaN);
    row("... V8: compiling the transformed wrapper, running its body and the hook the first time (fresh context)", work.engine.p50, NaN);
  }
  return rows.join("\n");
}

/** Where one small-hook call's microseconds go (suite-breakdown.mjs). */
function breakdownTable(b) {
  const rows = ["| part of one small-hook call | us per call |", "| --- | ---: |"];
  const row = (label, value) => rows.push(`| ${label} | ${usFixed(value)} |`);
  const seq = b.sequential;
  const wall = seq.wall.p50 * 1000;
  const inside = seq.inside.p50 * 1000;
  const host = b.host?.cpuUsPerCall;
  const ipc = b.ipc.sequential.p50 * 1000;
  row("sequential: the call, wall time p50", wall);
  row("... inside the sandbox process's invocation (ExecuteStats.durationMs p50: setup, hook, result JSON, reset)", inside);
  row("... host side alone (main-thread CPU; the pool answering at once: graph check, limits, JSON, scheduler)", host);
  row("... IPC floor: one round trip of the same frames to a process that only answers (p50)", ipc);
  row("... the rest: waking the sandbox process and the host, scheduling (wall p50 minus the three above)", wall - inside - (host ?? 0) - ipc);
  if (b.inside) {
    row(`inside the invocation (isolation "thread" worker, CPU profile over ${b.inside.calls} calls): busy`, b.inside.activeUsPerCall);
    for (const [label, value] of Object.entries(b.inside.perCall).sort((x, y) => y[1] - x[1])) row(`... ${label}`, value);
  }
  const load = b.load;
  row(`concurrency 32 (isolation "process", ${Math.round(load.callsPerSecond).toLocaleString("en-US")} calls/s): host main-thread CPU per call`, load.mainCpuUsPerCall);
  row("concurrency 32: host main thread busy per call (wall time of its profile's busy samples)", load.mainBusyUsPerCall);
  for (const [label, value] of Object.entries(load.perCall).sort((x, y) => y[1] - x[1])) row(`... ${label}`, value);
  row("concurrency 32: sandbox processes' CPU per call (all their threads)", load.sandboxCpuUsPerCall);
  row(`IPC floor with ${b.ipc.children ?? "the pool's"} answering processes, one round trip in flight each: host main-thread CPU per round trip (${Math.round(b.ipc.perSecond).toLocaleString("en-US")} round trips/s)`, b.ipc.hostCpuUsPerRoundTrip);
  return rows.join("\n");
}

function firstCallSection(engines, breakdown) {
  const tb = engines.find((e) => e.engine === "tenantbox" && e.firstCall?.parts);
  if (!tb) return "";
  return `## Where a fresh module's first call goes (tenantbox)\n\n${firstCallTable(tb, engines.find((e) => e.engine === "floor"), breakdown?.firstCall)}\n\n`;
}

export function renderReport({ machine, config, engines, paired, limits, breakdown, totalSeconds, previous }) {
  const limitsText = limits ? besidePrevious(limitsTable(limits), previous?.limits && tryRender(() => limitsTable(previous.limits)), previous?.commit) : "";
  const targetsText = besidePrevious(targetsTable(engines, limits, paired), previous?.engines && tryRender(() => targetsTable(previous.engines, previous.limits, previous.paired)), previous?.commit, 2);
  const pairedText = paired ? `## CPU-heavy, tenantbox and the floor interleaved in one process\n\n${besidePrevious(pairedTable(paired), previous?.paired && tryRender(() => pairedTable(previous.paired)), previous?.commit, 3)}\n\n` : "";
  const enginesList = engines.map((e) => `- **${e.engine}**: ${e.description}`).join("\n");
  const p = config.plan;
  return `# tenantbox benchmark

- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(1)} GB RAM, ${machine.os}
- Node ${machine.node}, ${machine.date}, tenantbox ${machine.commit}
- other work on the machine during the run: ${busy(machine.load)}${previous ? `\n- the previous run's figures (${previous.commit}) beside this run's: ${previous.cpu === undefined ? "its CPU was not recorded" : previous.cpu === machine.cpu ? "the same CPU" : `**a different CPU (${previous.cpu}): compare ratios, not figures**`}` : ""}
- pool size: ${config.threads} worker threads for every engine; CPU-heavy input: ${config.heavyPrimes} primes = ${ms(config.heavyRawMs)} ms raw on the host thread
- plan: sequential ${Object.entries(p.sequential).map(([k, v]) => `${k} ${v.count} calls after ${v.warmup} warm-up`).join(", ")}; throughput: concurrency ${p.throughput.concurrency}, ${p.throughput.windowMs} ms window after ${p.throughput.warmupMs} ms warm-up; first call: ${p.firstCall.count} fresh modules after ${p.firstCall.warmup} others (the first ${p.firstCall.coldCount} of those reported as "the run's first")
- whole run: ${totalSeconds.toFixed(0)} s

## Engines

${enginesList}

${engineTable(engines, previous)}

${pairedText}${firstCallSection(engines, breakdown)}${breakdown ? `## Where a small hook's call goes (tenantbox, per call)\n\n${besidePrevious(breakdownTable(breakdown), previous?.breakdown && tryRender(() => breakdownTable(previous.breakdown)), previous?.commit)}\n\n` : ""}${limits ? `## tenantbox under hostile tenants (runtime defaults${limits.isolation ? `, isolation "${limits.isolation}"` : ""}, as it is today)\n\n${limitsText}\n\n` : ""}## Targets

${targetsText}

## How to read

- Latencies are milliseconds from \`call()\` to the resolved value on the main thread, nearest-rank
  percentiles. "Sequential" is one call at a time after a warm-up; "at concurrency 32" is 32 callers each
  starting a new call as soon as their last one returned, for the whole window (calls/s = completed calls /
  time until the last one returned).
- The two ratio columns always read "how many times better tenantbox is": throughput tenantbox/other,
  latency and memory other/tenantbox. Above 1x tenantbox wins, below 1x it loses.
- Every engine runs the same module files with the same pool size, in its own child process of the
  bench, so peak RSS is that engine's whole footprint: its process (main thread plus worker threads) plus
  any process it starts (tenantbox's sandbox process). The 50 ms samples can miss a short spike; the
  sum of high-water marks cannot, but adds per-process peaks that may not coincide. RSS is not like for
  like: tenantbox workers have a 64 MB old-generation limit, the vm2 and floor workers V8's default heap
  sizing, and vm2 leaves a context behind per call for the garbage collector.
- Tool calls travel the same way in every engine: a MessagePort round trip from the worker to one handler
  on the main thread (for tenantbox with isolation "process", plus the IPC hop between the sandbox
  process and the host). The "one tool call's cost" row is a difference of two p50s: noisy at this scale.
- "CPU-heavy, interleaved" (bench/suite-paired.mjs) runs tenantbox and the floor in one child process and
  alternates them: sequential calls one each (who goes first alternates), throughput in alternating windows,
  each engine's pool idle while the other's runs. Measured minutes apart, as the engine rows are, their
  ratio moved 0.8x-1.3x between runs of the same code on a shared VM; the target uses the interleaved one.
- Event-loop lag is how late a 10 ms timer on the main thread fired (\`monitorEventLoopDelay\` minus its
  resolution). vm2 and the floor have no time or memory limits, so the hostile section is tenantbox only;
  in it, tenant B (and the "other tenant") is a different folder from the attackers, so the runtime's
  per-tenant queueing applies.
- The per-call breakdown (bench/suite-breakdown.mjs) measures each part on its own: the sandbox's
  invocation time as the runtime reports it (ExecuteStats.durationMs); the host side with the runtime's
  pool answering at once; the IPC floor with the same length-prefixed JSON frames to a process that only
  answers (bench/breakdown-echo.mjs); inside the invocation, a CPU profile of an isolation "thread" worker
  (the same invocation code a sandbox process runs; a sandbox process itself cannot be profiled under
  Node's permission model), each sample charged to the innermost frame a rule names; and at concurrency 32,
  CPU time per call (main thread: \`process.threadCpuUsage\`; sandbox processes: /proc, all their threads),
  and the main thread's busy time split by a 100 us-sampling CPU profile. This kernel samples CPU
  time at its tick (250 Hz), so CPU figures are averages over the window, and a profile charges time a
  thread spent waiting for a core (after its write woke another process) to the frame it was in.
- "The work no call can skip" (suite-breakdown.mjs firstCallWork) runs a fresh module's two unavoidable steps
  in one thread of the breakdown's process, after the loader's warm-up rounds: the loader thread's own compile
  task for the file, then V8 compiling the transformed wrapper and running it the first time in a fresh
  context. With today's loader, its sum is a lower bound for the first call before any hop, queueing or copy
  between threads and processes: a first-call target below it needs a faster loader (its parse is about half),
  not fewer hops.
- Numbers move by 10-20% between runs on this small VM, more when other work shares it (see the header):
  compare ratios, not the third digit. The "previous run" columns are the figures committed in
  bench/results.json before this run (its commit in the header); "vs previous" calls a change under 10%
  "same".
`;
}

/** A table of an older run's figures; undefined when that run lacks a figure the table needs. */
function tryRender(render) {
  try {
    return render();
  } catch {
    return undefined;
  }
}
