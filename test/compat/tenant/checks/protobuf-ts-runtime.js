const { BinaryWriter, BinaryReader, WireType, base64encode } = require("protobuf-ts-runtime"); exports.check = () => { const w = new BinaryWriter(); w.tag(1, WireType.Varint).int32(150); w.tag(2, WireType.LengthDelimited).string("hi"); const b = w.finish(); return [Buffer.from(b).toString("hex"), base64encode(b)]; };
exports.expected = () => (["08960112026869","CJYBEgJoaQ=="]);
