import { Octokit } from "octokit-core";
export const check = async () => { const urls = []; const o = new Octokit({ auth: "t", request: { fetch: async (url, init) => { urls.push(url); return new Response(JSON.stringify({ login: "octocat" }), { status: 200, headers: { "content-type": "application/json" } }); } } }); const r = await o.request("GET /users/{u}", { u: "octocat" }); return [r.data.login, urls]; };
export const expected = () => (["octocat",["https://api.github.com/users/octocat"]]);
