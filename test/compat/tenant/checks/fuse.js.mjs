import Fuse from "fuse.js";
export const check = () => new Fuse([{ t: "apple" }, { t: "banana" }, { t: "apricot" }], { keys: ["t"] }).search("aple").map((r) => r.item.t)[0];
export const expected = () => ("apple");
