/**
 * Where a slice of about `chars` characters of `text` that starts at `at` ends: never between a high and a low
 * surrogate (each half encoded alone would become U+FFFD), and never empty. For text encoded to UTF-8 a slice at
 * a time, so that no one encode holds the host's main thread long (frame-channel.ts, service/raw-values.ts).
 */
export function sliceEnd(text: string, at: number, chars: number): number {
  let end = Math.min(text.length, at + Math.max(1, chars));
  if (end < text.length) {
    const unit = text.charCodeAt(end - 1);
    if (unit >= 0xd800 && unit <= 0xdbff) end += end > at + 1 ? -1 : 1;
  }
  return end;
}
