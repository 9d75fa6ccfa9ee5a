import type { Primordials } from "./primordials.js";

/**
 * A CryptoKey's usages, read from the tenant's list into a frozen copy (the key's public `usages` as well): the
 * length read once and bounded before the copy (a loop without guards: an array of length 2^32 - 1 ran in it
 * to the hard stop), each usage read once and checked as it is copied, so a getter cannot pass one value to
 * the check and store another. Shared by HMAC keys (node-globals.ts) and asymmetric ones (subtle-keys.ts).
 */
export function readKeyUsages(
  P: Primordials,
  domError: (name: string, message: string) => Error,
  usages: unknown,
  allowed: readonly string[],
  /** How the error names the key: "an HMAC key", "a public key". */
  keyName: string,
  mayBeEmpty: boolean,
): string[] {
  // Web Crypto has 8 key usages: a longer list is refused. (Inside the function: the realm gets this
  // function's text only, sandbox/source.ts.)
  const MAX_KEY_USAGES = 64;
  if (!P.ArrayIsArray(usages)) throw new P.TypeError("keyUsages must be an array");
  const given = usages as unknown[];
  const length = given.length;
  if (!(length <= MAX_KEY_USAGES)) throw domError("SyntaxError", "more than " + MAX_KEY_USAGES + " key usages are not available in the sandbox");
  const list: string[] = [];
  for (let i = 0; i < length; i++) {
    const usage = given[i];
    let known = false;
    for (let j = 0; j < allowed.length; j++) if (usage === allowed[j]) known = true;
    if (!known) throw domError("SyntaxError", "Unsupported key usage for " + keyName + ": " + P.String(usage));
    list[list.length] = usage as string;
  }
  P.ObjectFreeze(list);
  if (!mayBeEmpty && list.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
  return list;
}
