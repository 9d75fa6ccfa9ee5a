/** The oldest Node.js tenantbox runs on (package.json `engines`). */
export const REQUIRED_NODE = "22.12";

/**
 * Refuses an older Node.js with a message that says what to do, before anything else happens: on Node 20
 * the service's SQLite addon (better-sqlite3 13) ended the process with a segmentation fault and no word.
 */
export function assertSupportedNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [needMajor, needMinor] = REQUIRED_NODE.split(".").map(Number) as [number, number];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
  throw new Error(
    `tenantbox needs Node.js ${REQUIRED_NODE} or newer; this is Node.js ${version}. ` +
      `Install a current Node.js (for example \`nvm install 22\`, or your system's package manager) and run it with that.`,
  );
}
