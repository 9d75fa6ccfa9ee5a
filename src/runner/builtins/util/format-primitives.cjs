// util.format of a string whose arguments are primitives (no symbols, no %o / %O) or objects given to %j or %c,
// as Node formats it, without loading the inspect engine (about 2 ms an invocation): what most logging does.
// Anything else answers undefined and goes to the engine. node-surface.test.ts holds both paths to Node's output.
function number(value) {
  return Object.is(value, -0) ? "-0" : String(value);
}

function plain(value) {
  const type = typeof value;
  return value === null || value === undefined || type === "string" || type === "number" || type === "bigint" || type === "boolean";
}

// Node's inspect of such a value, where it does not quote (a string is appended as it is).
function shown(value) {
  if (typeof value === "number") return number(value);
  if (typeof value === "bigint") return value + "n";
  return String(value);
}

// Node's %j: JSON, or "[Circular]" for a value JSON.stringify refuses as circular (other errors are thrown).
let circularMessage;
function json(value) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (circularMessage === undefined) {
      const loop = {};
      loop.loop = loop;
      try {
        JSON.stringify(loop);
      } catch (circular) {
        circularMessage = String(circular.message).split("\n")[0];
      }
    }
    // Read as Node reads it: a thrown null or undefined makes this a TypeError, as there.
    if (error.name === "TypeError" && String(error.message).split("\n")[0] === circularMessage) return "[Circular]";
    throw error;
  }
}

/**
 * Whether an argument needs the engine (an object for %s, %d, %i or %f, or an object or symbol past the
 * directives): decided before anything is formatted, so that no toJSON or getter runs twice (review).
 */
function needsEngine(first, args) {
  let used = 0;
  for (let i = 0; i < first.length - 1; i++) {
    if (first.charCodeAt(i) !== 37) continue;
    const directive = first[++i];
    if (used + 1 === args.length) continue;
    if ("sdif".indexOf(directive) !== -1) {
      if (!plain(args[++used])) return true;
    } else if (directive === "j" || directive === "c") used++;
  }
  for (let i = used + 1; i < args.length; i++) if (!plain(args[i])) return true;
  return false;
}

module.exports = function formatPrimitives(args) {
  const first = args[0];
  if (typeof first !== "string") return undefined;
  // Alone, the format is the answer as it is (Node's util.format("%%") is "%%").
  if (args.length === 1) return first;
  if (first.indexOf("%o") !== -1 || first.indexOf("%O") !== -1) return undefined;
  if (needsEngine(first, args)) return undefined;
  let out = "";
  let last = 0;
  let used = 0;
  for (let i = 0; i < first.length - 1; i++) {
    if (first.charCodeAt(i) !== 37) continue;
    const directive = first[++i];
    if (used + 1 === args.length) {
      // No argument left: only %% still collapses.
      if (directive === "%") {
        out += first.slice(last, i);
        last = i + 1;
      }
      continue;
    }
    let text;
    if (directive === "s") text = shown(args[++used]);
    else if (directive === "j") text = json(args[++used]);
    else if (directive === "d") {
      const value = args[++used];
      text = typeof value === "bigint" ? value + "n" : number(Number(value));
    } else if (directive === "i") {
      const value = args[++used];
      text = typeof value === "bigint" ? value + "n" : number(Number.parseInt(value));
    } else if (directive === "f") text = number(Number.parseFloat(args[++used]));
    else if (directive === "c") {
      used++;
      text = "";
    } else if (directive === "%") {
      out += first.slice(last, i);
      last = i + 1;
      continue;
    } else continue;
    if (last !== i - 1) out += first.slice(last, i - 1);
    out += text;
    last = i + 1;
  }
  let separator = "";
  if (last !== 0) {
    used++;
    separator = " ";
    if (last < first.length) out += first.slice(last);
  }
  for (; used < args.length; used++) {
    out += separator + (typeof args[used] === "string" ? args[used] : shown(args[used]));
    separator = " ";
  }
  return out;
};
