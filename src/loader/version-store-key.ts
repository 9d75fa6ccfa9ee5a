import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** What loader threads need to use a version store: its directory and the key its entries are signed with (hex). */
export interface VersionStoreConfig {
  dir: string;
  key: string;
}

const KEY_FILE = "key";
const KEY_BYTES = 32;

/**
 * Opens the operator's version-store directory (compileCacheDir) on the host, before any thread uses it:
 * creates it (0700) if needed, refuses one another user owns or others may write (its entries decide what
 * runs), and reads its signing key, or makes one (0600) on first use. Throws a TypeError naming the problem.
 */
export function openVersionStore(dir: string): VersionStoreConfig {
  if (typeof dir !== "string" || !path.isAbsolute(dir)) throw new TypeError(`tenantbox: option "compileCacheDir" must be an absolute path`);
  try {
    return openDirectory(dir);
  } catch (error) {
    if (error instanceof TypeError) throw error;
    // The file system's own refusal (a file where the directory should be, a read-only disk, no permission): a
    // bad option value, said as the other problems of the option are.
    const { code, message } = error as NodeJS.ErrnoException;
    throw new TypeError(`tenantbox: compileCacheDir ${dir} cannot be used: ${code ?? message}`);
  }
}

function openDirectory(dir: string): VersionStoreConfig {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Something other than a directory is there: said below, as for a symbolic link.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new TypeError(`tenantbox: compileCacheDir ${dir} is not a directory (a symbolic link is refused)`);
  // Closed to others: entry names are hashes of (id, text) pairs, an oracle for who deployed what.
  refuseShared(stat, `compileCacheDir ${dir}`, 0o077);
  const keyFile = path.join(dir, KEY_FILE);
  // Written whole under a name of its own, then linked into place: a runtime starting at the same moment
  // either finds no key or a complete one, never an empty file (the link fails if another got there first).
  const draft = path.join(dir, `${KEY_FILE}.${process.pid}.${randomBytes(6).toString("hex")}`);
  fs.writeFileSync(draft, randomBytes(KEY_BYTES).toString("hex"), { mode: 0o600, flag: "wx" });
  try {
    fs.linkSync(draft, keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.unlinkSync(draft);
  }
  const keyStat = fs.lstatSync(keyFile);
  if (!keyStat.isFile()) throw new TypeError(`tenantbox: ${keyFile} is not a regular file`);
  // Anyone who can read the key can sign entries.
  refuseShared(keyStat, keyFile, 0o077);
  const key = fs.readFileSync(keyFile, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError(`tenantbox: ${keyFile} is not a version-store key; remove it to make a new one`);
  return { dir, key };
}

/** Refuses a path another user owns, or whose mode has any of `forbidden` (where the platform has users). */
function refuseShared(stat: fs.Stats, what: string, forbidden: number): void {
  if (typeof process.getuid !== "function") return;
  if (stat.uid !== process.getuid()) throw new TypeError(`tenantbox: ${what} belongs to another user`);
  if ((stat.mode & forbidden) !== 0) throw new TypeError(`tenantbox: ${what} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`);
}
