const { makeExecutableSchema } = require("graphql-tools-schema"); const { graphql } = require("graphql");
exports.check = async () => { const schema = makeExecutableSchema({ typeDefs: "type Query { hello(name: String): String, n: Int }", resolvers: { Query: { hello: (_, { name }) => "Hi " + name, n: () => 42 } } }); return graphql({ schema, source: '{ hello(name: "Ann") n }' }).then((r) => JSON.parse(JSON.stringify(r))); };
exports.expected = () => ({"data":{"hello":"Hi Ann","n":42}});
