/** Web URLs name no host file: kept, so a tool's "see https://docs..." still helps the tenant. */
const WEB_SCHEMES = ["http", "https", "ws", "wss"];

/** A run of characters that may belong to a path (paths end at whitespace, quotes, brackets). */
const TOKEN = /[^\s'"`()<>]+/g;

const isWordLike = (c: string) => /[\w.~-]/.test(c);
const isLetter = (c: string) => /[A-Za-z]/.test(c);

/** `scheme://` ends at i (the first slash): a web URL, whose own path is no host path. */
function isWebScheme(token: string, i: number): boolean {
  if (token[i + 1] !== "/") return false;
  for (const scheme of WEB_SCHEMES) {
    const start = i - 1 - scheme.length;
    if (start < 0 || token.slice(start, i - 1).toLowerCase() !== scheme) continue;
    if (start === 0 || !/[A-Za-z0-9+.-]/.test(token[start - 1]!)) return true;
  }
  return false;
}

/**
 * Where a host path starts in a token, or -1: after `:` (`config:/abs`, `file:/x`, `file:///x`), a leading
 * `//x`, an absolute path of two segments or more not glued to a word (`/srv/x`, but not `a/b` or a URL's
 * own path), a drive (`C:\x`) or a UNC share (`\\server`). One pass: each character is looked at a
 * bounded number of times.
 */
function pathStart(token: string): number {
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    const prev = i > 0 ? token[i - 1]! : "";
    if (c === "\\") {
      if (prev === ":" && i >= 2 && isLetter(token[i - 2]!)) return i - 2;
      if (token[i + 1] === "\\" && (prev === "" || !isWordLike(prev))) return i;
      continue;
    }
    if (c !== "/") continue;
    if (prev === ":") {
      if (isWebScheme(token, i)) {
        i++;
        continue;
      }
      return i;
    }
    if (prev !== "" && (isWordLike(prev) || prev === "/")) continue;
    if (token[i + 1] === "/") return i;
    // Two segments: the next slash, with something before and after it. That search stops at the next
    // slash, which is the next candidate, so the searches together read the token once.
    const next = token.indexOf("/", i + 1);
    if (next > i + 1 && next < token.length - 1 && token[next + 1] !== "/") return i;
  }
  return -1;
}

/**
 * Layer 5: absolute file paths of the host never reach the tenant in a tool's error message. Bounded
 * first (a tool may throw megabytes), then one linear pass: no regular expression here can backtrack.
 */
export function redactPaths(message: string, maxLength: number): string {
  const bounded = message.slice(0, maxLength);
  const redacted = bounded.replace(TOKEN, (token) => {
    const start = pathStart(token);
    return start < 0 ? token : token.slice(0, start) + "<path>";
  });
  // "<path>" can be longer than what it replaced ("//x").
  return redacted.slice(0, maxLength);
}
