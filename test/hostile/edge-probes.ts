/**
 * Tenant source the red-team rounds share (redteam-round-dec09, -dec09b): pieces of hooks that look for the
 * worker's realm in what they catch at the very edge of the stack.
 */

/** `host(x)`: whether x's constructor chain gives a `process` (K spelled so the constructor-chain rule misses it). */
export const HOST_PROBE = `const K = ["constr", "uctor"].join("");
function host(x) {
  try {
    const p = x[K][K]("return process")();
    return p !== null && typeof p === "object";
  } catch (e) {
    return false;
  }
}`;

/** `atEdge(at)`: calls `at` in the 400 deepest frames of two recursions of different frame sizes, deepest first. */
export const AT_EDGE = `function atEdge(at) {
  let left = 0;
  function deep(n) { try { deep(n + 1); } catch (e) {} if (left-- > 0) at(); }
  function wide(n, a, b, c) { try { wide(n + 1, a, b, c); } catch (e) {} if (left-- > 0) at(); }
  left = 400;
  deep(0);
  left = 400;
  wide(0, 1, 2, 3);
}`;
