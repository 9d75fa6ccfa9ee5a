const acorn = require("acorn"); exports.check = () => { const ast = acorn.parse("let x = a?.b ?? 1; export default x", { ecmaVersion: "latest", sourceType: "module" }); return [ast.body.map((n) => n.type), ast.body[0].declarations[0].init.type]; };
exports.expected = () => ([["VariableDeclaration","ExportDefaultDeclaration"],"LogicalExpression"]);
