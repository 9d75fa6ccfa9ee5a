const toml = require("toml");
exports.check = () => toml.parse('title = "T"\n[owner]\nname = "Tom"\ndob = 1979-05-27T07:32:00Z\n[[items]]\nx = 1\n[[items]]\nx = 2\n');
exports.expected = () => ({"title":"T","owner":{"name":"Tom","dob":"1979-05-27T07:32:00.000Z"},"items":[{"x":1},{"x":2}]});
