const { ObjectId, serialize, deserialize, EJSON, Long, Decimal128 } = require("bson");
exports.check = () => { const id = new ObjectId("507f1f77bcf86cd799439011"); const doc = deserialize(serialize({ _id: id, n: Long.fromString("9007199254740993"), d: new Date(0), dec: Decimal128.fromString("1.10") }));
  return [ObjectId.isValid(new ObjectId().toHexString()), id.getTimestamp().toISOString(), doc._id.toHexString(), EJSON.stringify(doc, { relaxed: false })]; };
exports.expected = () => ([true,"2012-10-17T21:13:27.000Z","507f1f77bcf86cd799439011","{\"_id\":{\"$oid\":\"507f1f77bcf86cd799439011\"},\"n\":{\"$numberLong\":\"9007199254740993\"},\"d\":{\"$date\":{\"$numberLong\":\"0\"}},\"dec\":{\"$numberDecimal\":\"1.10\"}}"]);
