const Handlebars = require("handlebars"); const H = require("just-handlebars-helpers"); exports.check = () => { H.registerHelpers(Handlebars); return Handlebars.compile("{{#if (eq a 1)}}one{{/if}} {{formatCurrency 1234.5 code='USD'}} {{capitalizeEach 'hi there'}}")({ a: 1 }); };
exports.expected = () => ("one $1,234.50 Hi There");
