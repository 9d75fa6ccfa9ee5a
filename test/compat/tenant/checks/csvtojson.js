const csv = require("csvtojson"); exports.check = async () => [await csv().fromString("a,b\n1,x\n2,\"y,z\""), await csv({ noheader: true, output: "csv" }).fromString("1,2\n3,4")];
exports.expected = () => ([[{"a":"1","b":"x"},{"a":"2","b":"y,z"}],[["1","2"],["3","4"]]]);
