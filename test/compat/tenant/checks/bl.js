const { BufferList } = require("bl"); exports.check = () => { const bl = new BufferList(); bl.append(Buffer.from("abcd")); bl.append(Buffer.from("efg")); return [bl.length, bl.slice(3, 6).toString(), bl.readUInt16BE(0), bl.indexOf("ef"), bl.shallowSlice(5).toString()]; };
exports.expected = () => ([7,"def",24930,4,"fg"]);
