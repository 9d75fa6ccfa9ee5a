import fs from "node:fs";
import path from "node:path";

/**
 * Why a tenant file could not be read: not a regular file of its own (FIFO, device, directory, symlink, a file
 * with more than one hard link), or too big.
 */
export class FileReadRefused extends Error {
  constructor(
    readonly reason: "not-a-file" | "too-large",
    message: string,
  ) {
    super(message);
    this.name = "FileReadRefused";
  }
}

// Non-blocking: opening a FIFO never waits for a writer. No-follow: the path was resolved before; a symlink
// swapped in since then is refused, not followed.
const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW;

/**
 * Reads a file of a tenant's folder as UTF-8, checking what was opened (fstat on the open descriptor), not
 * what the path named a moment before: a FIFO, a device or a file grown past `maxBytes` in between is refused
 * instead of blocking the host thread or filling its memory, and a file with more than one hard link is
 * refused (another name of it may be outside the folder). With `realFolder`, the opened file must also be
 * the one the path names inside that folder after the open (same device and inode, real path inside): a
 * directory on the way swapped for a symlink to another tenant's files is refused, not read. Other failures
 * (ENOENT, EACCES) throw as is.
 */
export function readRegularFile(file: string, maxBytes: number, realFolder?: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new FileReadRefused("not-a-file", "is a symbolic link");
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileReadRefused("not-a-file", "is not a regular file");
    // A hard link names the same inode as a path elsewhere (another tenant's module, a host secret), and
    // realpath, O_NOFOLLOW and /proc/self/fd all report the path inside: only a single link proves ownership.
    if (stat.nlink > 1) {
      throw new FileReadRefused("not-a-file", `has ${stat.nlink} hard links; tenant files must have exactly one (a hard link can point outside the folder)`);
    }
    if (stat.size > maxBytes) throw new FileReadRefused("too-large", `is ${stat.size} bytes; the limit is ${maxBytes}`);
    if (realFolder !== undefined && !sameFileInside(file, fd, stat, realFolder)) throw new FileReadRefused("not-a-file", "changed while it was read");
    // Read at most maxBytes + 1: a file still growing is caught by the extra byte.
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(stat.size, 0) + 1));
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw new FileReadRefused("too-large", `is more than ${maxBytes} bytes`);
    return buffer.toString("utf8", 0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The opened file is inside the folder. On Linux the kernel says where the descriptor points
 * (/proc/self/fd), which no later swap can change. Elsewhere: the path, resolved again, is inside the folder
 * and names the same device and inode (narrower, but a swap timed between those two look-ups can pass).
 */
function sameFileInside(file: string, fd: number, opened: fs.Stats, realFolder: string): boolean {
  const inside = (p: string) => p.startsWith(realFolder + path.sep);
  let actual: string | undefined;
  try {
    actual = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    actual = undefined;
  }
  if (actual !== undefined) return inside(actual);
  try {
    const real = fs.realpathSync.native(file);
    const now = fs.statSync(real);
    return inside(real) && now.ino === opened.ino && now.dev === opened.dev;
  } catch {
    return false;
  }
}
