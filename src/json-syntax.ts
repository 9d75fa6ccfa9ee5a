/**
 * Whether `text` is one JSON value (RFC 8259, what JSON.parse accepts), checked without building it: the host
 * hands a call's value on as the sandbox process wrote it (`rawValue`), and a compromised process must not be
 * able to put anything but JSON into a reply. Linear; the nesting it may meet is bounded first
 * (jsonShapeProblem), so its recursion is too.
 */
export function isJsonText(text: string): boolean {
  let i = 0;
  const n = text.length;

  const space = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };

  const digits = (): boolean => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    return i > start;
  };

  const hex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

  const string = (): boolean => {
    i++; // the opening quote
    while (i < n) {
      const c = text.charCodeAt(i++);
      if (c === 0x22) return true;
      if (c < 0x20) return false;
      if (c !== 0x5c) continue;
      const e = text.charCodeAt(i++);
      if (e === 0x75) {
        for (let k = 0; k < 4; k++) if (!hex(text.charCodeAt(i++))) return false;
      } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return false;
    }
    return false;
  };

  const number = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (!digits()) return false;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!digits()) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!digits()) return false;
    }
    return true;
  };

  const literal = (word: string): boolean => {
    if (!text.startsWith(word, i)) return false;
    i += word.length;
    return true;
  };

  const value = (): boolean => {
    space();
    const c = text.charCodeAt(i);
    if (c === 0x22) return string();
    if (c === 0x7b) {
      i++;
      space();
      if (text.charCodeAt(i) === 0x7d) return (i++, true);
      for (;;) {
        space();
        if (text.charCodeAt(i) !== 0x22 || !string()) return false;
        space();
        if (text.charCodeAt(i++) !== 0x3a || !value()) return false;
        space();
        const next = text.charCodeAt(i++);
        if (next === 0x7d) return true;
        if (next !== 0x2c) return false;
      }
    }
    if (c === 0x5b) {
      i++;
      space();
      if (text.charCodeAt(i) === 0x5d) return (i++, true);
      for (;;) {
        if (!value()) return false;
        space();
        const next = text.charCodeAt(i++);
        if (next === 0x5d) return true;
        if (next !== 0x2c) return false;
      }
    }
    if (c === 0x74) return literal("true");
    if (c === 0x66) return literal("false");
    if (c === 0x6e) return literal("null");
    return number();
  };

  if (!value()) return false;
  space();
  return i === n;
}
