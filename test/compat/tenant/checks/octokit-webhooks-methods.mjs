import { sign, verify } from "octokit-webhooks-methods"; export async function check() { const s = await sign("secret", '{"a":1}'); return [s, await verify("secret", '{"a":1}', s), await verify("secret", '{"a":2}', s)]; }
export const expected = () => (["sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494",true,false]);
