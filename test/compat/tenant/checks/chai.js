const { expect, assert } = require("chai"); exports.check = () => { expect({ a: [1, 2] }).to.deep.equal({ a: [1, 2] }); let msg; try { expect(1).to.equal(2); } catch (e) { msg = e.message; } assert.lengthOf([1, 2], 2); return msg; };
exports.expected = () => ("expected 1 to equal 2");
