import EventEmitter from "eventemitter3";
export function check() {
  const e = new EventEmitter();
  const got = [];
  e.on("x", (v) => got.push(v));
  e.once("x", (v) => got.push("once:" + v));
  e.emit("x", 1);
  e.emit("x", 2);
  return got;
}
export const expected = () => ([1, "once:1", 2]);
