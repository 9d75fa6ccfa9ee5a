/**
 * Whether JSON text nests objects and arrays at most `max` deep, in one linear pass over its text (strings
 * skipped, escapes honoured), before anything parses it: JSON.parse of deeply nested text is slow on the
 * host's main thread (two million nested arrays took 450 ms), and a walk of what it builds (JSON.stringify
 * included) overflows the stack past a few thousand levels. Text that is not JSON passes or fails here
 * as it may; its parse decides.
 */
export function jsonNestedWithin(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}
