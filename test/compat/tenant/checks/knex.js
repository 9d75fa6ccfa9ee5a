const knex = require("knex")({ client: "pg" });
exports.check = () => [knex("users").where({ id: 1 }).andWhere("age", ">", 18).select("name").toString(), knex("t").insert({ a: 1, b: "x" }).returning("id").toSQL().sql];
exports.expected = () => (["select \"name\" from \"users\" where \"id\" = 1 and \"age\" > 18","insert into \"t\" (\"a\", \"b\") values (?, ?) returning \"id\""]);
