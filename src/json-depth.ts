/**
 * What makes JSON text costly to parse on the host's main thread, found in one linear pass over its text
 * (strings skipped, escapes honoured) before anything parses it: nesting (JSON.parse of two million nested
 * arrays took 450 ms, and a walk of what it builds, JSON.stringify included, overflows the stack past a few
 * thousand levels) and the number of values (each array, object and item costs JSON.parse 20-60 ns: 1 MiB of
 * empty arrays, flat, took 20-50 ms where a 1 MiB string takes 1-2). Text that is not JSON passes or fails here
 * as it may; its parse decides.
 */
export function jsonShapeProblem(json: string, maxDepth: number, maxValues: number): "depth" | "values" | undefined {
  let depth = 0;
  // Separators and openings outside strings: about one per value.
  let values = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return "depth";
      if (++values > maxValues) return "values";
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++values > maxValues) return "values";
  }
  return undefined;
}

/** Whether JSON text nests objects and arrays at most `max` deep (jsonShapeProblem, depth only). */
export function jsonNestedWithin(json: string, max: number): boolean {
  return jsonShapeProblem(json, max, Infinity) === undefined;
}
