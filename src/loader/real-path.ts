import fs from "node:fs";
import path from "node:path";

/** Linux's O_PATH: a handle on a path that opens nothing (no device, FIFO or file is touched). */
const O_PATH = 0o10000000;
const onLinux = process.platform === "linux";

/**
 * The real path of `p`, as realpath(3) gives it but in time that grows with the path's length, not its
 * square: glibc's realpath walks every prefix again, so a tenant's one-byte symlink to a directory 2,000
 * levels deep cost the host's main thread 130 ms per look-up. On Linux the kernel resolves the path once
 * (an O_PATH handle, read back through /proc/self/fd); elsewhere realpath(3). Throws as realpath does.
 */
export function realPathOf(p: string): string {
  if (!onLinux) return fs.realpathSync.native(p);
  // libuv opens every descriptor close-on-exec.
  const fd = fs.openSync(p, O_PATH);
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // No /proc: the slower way.
    return fs.realpathSync.native(p);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * How deep below a tenant folder its files may live (directories included). Every call stats its files by
 * real path, and a stat costs one look-up per directory on the way: a bound here bounds that work.
 */
export const MAX_TENANT_PATH_DEPTH = 30;

/** Directories between `realRoot` and `real` (0 for a file directly inside it). */
export function depthBelow(realRoot: string, real: string): number {
  let depth = 0;
  for (let i = realRoot.length + 1; i < real.length; i++) if (real[i] === path.sep) depth++;
  return depth;
}
