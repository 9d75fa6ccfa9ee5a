const snarkdown = require("snarkdown"); exports.check = () => (snarkdown.default ?? snarkdown)("_this_ is **easy** to `use`.\n\n# Title");
exports.expected = () => ("<em>this</em> is <strong>easy</strong> to <code>use</code>.<h1>Title</h1>");
