const JSZip = require("jszip");
exports.check = async () => { const z = new JSZip(); z.file("a.txt", "hello"); z.folder("d").file("b.json", JSON.stringify({ x: 1 })); const b = await z.generateAsync({ type: "uint8array", compression: "DEFLATE" });
  const back = await JSZip.loadAsync(b); return [Object.keys(back.files), await back.file("a.txt").async("string"), await back.file("d/b.json").async("string"), (await z.generateAsync({ type: "base64" })).length > 0, (await z.generateAsync({ type: "nodebuffer" })).length > 0]; };
exports.expected = () => ([["a.txt","d/","d/b.json"],"hello","{\"x\":1}",true,true]);
