const { FormData, File } = require("formdata-node"); exports.check = async () => { const f = new FormData(); f.set("n", "1"); f.set("file", new File(["abc"], "a.txt", { type: "text/plain" })); const file = f.get("file"); return [f.get("n"), file.name, file.size, await file.text()]; };
exports.expected = () => (["1","a.txt",3,"abc"]);
