const ib = require("ibantools");
exports.check = () => [ib.isValidIBAN(ib.electronicFormatIBAN("NL91 ABNA 0417 1643 00")), ib.friendlyFormatIBAN("NL91ABNA0417164300"), ib.isValidBIC("ABNANL2A"), ib.extractIBAN("DE89370400440532013000").bban];
exports.expected = () => ([true,"NL91 ABNA 0417 1643 00",true,"370400440532013000"]);
