const j = require("jsondiffpatch"); exports.check = () => { const p = j.create(); const delta = p.diff({ a: 1, l: [1, 2] }, { a: 2, l: [1, 3] }); return [delta, p.patch({ a: 1, l: [1, 2] }, delta)]; };
exports.expected = () => ([{"a":[1,2],"l":{"1":[3],"_t":"a","_1":[2,0,0]}},{"a":2,"l":[1,3]}]);
