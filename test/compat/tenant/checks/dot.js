// doT finds the global object with an indirect eval ((0, eval)("this")) and compiles templates with new Function.
// Not {{! }} (HTML-encoding): doT compiles its encoder's fn.toString() again, and that text is the guarded one.
const doT = require("dot");
exports.check = () => {
  const render = doT.template("<h1>{{=it.title}}</h1>{{~it.items :item:i}}<li>{{=i}}: {{=item.name}}</li>{{~}}{{? it.admin }}<b>admin</b>{{??}}guest{{?}}");
  return [render({ title: "Orders", items: [{ name: "pen" }, { name: "ink" }], admin: false }), doT.template("{{=it}}!")("hi")];
};
exports.expected = () => ["<h1>Orders</h1><li>0: pen</li><li>1: ink</li>guest", "hi!"];
