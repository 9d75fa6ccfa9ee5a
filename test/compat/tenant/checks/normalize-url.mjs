import normalizeUrl from "normalize-url"; export function check() { return [normalizeUrl("sindresorhus.com"), normalizeUrl("HTTP://www.Example.com:80/a/../b/?b=2&a=1#frag", { stripHash: true }), normalizeUrl("https://x.com/?utm_source=a&q=1")]; }
export const expected = () => (["http://sindresorhus.com","http://example.com/b?a=1&b=2","https://x.com/?q=1"]);
