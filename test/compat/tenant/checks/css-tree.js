const csstree = require("css-tree");
exports.check = () => { const ast = csstree.parse(".a { color: red; margin: 0 auto } .b:hover { color: blue }"); const sel = []; csstree.walk(ast, { visit: "ClassSelector", enter(n) { sel.push(n.name); } }); return [sel, csstree.generate(ast)]; };
exports.expected = () => ([["a","b"],".a{color:red;margin:0 auto}.b:hover{color:blue}"]);
