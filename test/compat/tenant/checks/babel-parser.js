const { parse } = require("babel-parser"); exports.check = () => { const ast = parse("const x: number = <T,>(a: T) => a; class A { #p = 1 }", { sourceType: "module", plugins: ["typescript"] }); return [ast.program.body.map((n) => n.type)]; };
exports.expected = () => ([["VariableDeclaration","ClassDeclaration"]]);
