const { Client } = require("notionhq-client");
exports.check = async () => { const urls = []; const n = new Client({ auth: "secret", fetch: async (url, init) => { urls.push(String(url)); return new Response(JSON.stringify({ object: "user", id: "u1", name: "Ann" }), { status: 200, headers: { "content-type": "application/json" } }); } }); const u = await n.users.retrieve({ user_id: "u1" }); return [u.name, urls]; };
exports.expected = () => (["Ann",["https://api.notion.com/v1/users/u1"]]);
