import * as oauth from "oauth4webapi"; export async function check() { const v = oauth.generateRandomCodeVerifier(); const c = await oauth.calculatePKCECodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); return [v.length, c]; }
export const expected = () => ([43,"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"]);
