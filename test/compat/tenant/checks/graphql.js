const { graphql, buildSchema, parse, validate, print } = require("graphql");
exports.check = async () => { const schema = buildSchema("type Query { hello(name: String): String, n: Int }");
  const r = await graphql({ schema, source: '{ hello(name: "x") n }', rootValue: { hello: ({ name }) => "hi " + name, n: 3 } });
  return [r.data, validate(schema, parse("{ nope }")).map((e) => e.message), print(parse("{a{b}}"))]; };
exports.expected = () => ([{"hello":"hi x","n":3},["Cannot query field \"nope\" on type \"Query\"."],"{\n  a {\n    b\n  }\n}"]);
