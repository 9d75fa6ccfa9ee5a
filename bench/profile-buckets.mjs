// Splits a V8 CPU profile (.cpuprofile JSON) into named buckets: each sample goes to the bucket of the
// innermost frame on its stack that a rule names (leaf first), else to "other". Idle samples are counted
// apart. Times are the profile's own sample intervals (wall time on the sampled thread, so a thread the OS
// took off its core mid-call charges that wait to the frame it was in).

/**
 * `rules`: [bucket, test(callFrame)] in priority order per frame. Returns { totalMs, idleMs, buckets: { name: ms } }
 * over the non-idle samples.
 */
export function bucketize(profile, rules) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const bucketOf = new Map();
  const classify = (id) => {
    if (bucketOf.has(id)) return bucketOf.get(id);
    let found = "other";
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      const rule = rules.find(([, test]) => test(frame));
      if (rule) {
        found = rule[0];
        break;
      }
    }
    bucketOf.set(id, found);
    return found;
  };
  const buckets = {};
  let totalMs = 0;
  let idleMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]);
    if (node.callFrame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    totalMs += ms;
    const bucket = classify(node.id);
    buckets[bucket] = (buckets[bucket] ?? 0) + ms;
  }
  return { totalMs, idleMs, buckets };
}

/** A frame test: the function's name is one of `names` and (optionally) its script's URL contains `url`. */
export function frame(names, url) {
  const set = new Set(names);
  return (callFrame) => set.has(callFrame.functionName) && (url === undefined || callFrame.url.includes(url));
}
