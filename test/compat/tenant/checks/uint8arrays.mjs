import { concat, toString, fromString, equals, compare } from "uint8arrays"; export function check() { const a = fromString("hello"); return [toString(concat([a, fromString(" world")])), toString(a, "base64"), toString(fromString("68656c6c6f", "base16")), equals(a, fromString("hello")), compare(a, fromString("help"))]; }
export const expected = () => (["hello world","aGVsbG8","hello",true,-1]);
