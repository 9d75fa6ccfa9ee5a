/**
 * The operating-system layer under the realm (design invariant 9): how a sandbox process is started so
 * that, should a V8 bug ever break the realm, the process it lands in reads nothing but its own code,
 * writes nothing, spawns nothing, runs as an unprivileged user, has an OS-level memory bound and no
 * network. The pool and the post-escape tests start processes through `sandboxLaunch` alone, so the tests
 * exercise the very configuration the pool uses.
 *
 * Each mechanism is probed once per host process; one that the platform lacks is left out and reported in
 * `SandboxLaunch.layers` (SECURITY.md says what is in force where). Only the user drop is mandatory: a host
 * running as root that cannot hand its sandboxes to an unprivileged user refuses to start.
 */
import { spawnSync, type SpawnOptions } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { VM_MODULES_FLAG } from "./dynamic-import.js";

export interface SandboxUser {
  uid: number;
  gid: number;
}

export interface SandboxOsSettings {
  /** The tenant heap limit (MiB); the process's heap is this plus `heapHeadroomMb`. */
  memoryLimitMb: number;
  heapHeadroomMb: number;
  /** Who sandbox processes run as when the host is root; default nobody/nogroup. */
  user?: SandboxUser;
  /** A file of trusted code the entry reads (it may read it and nothing else besides itself): its path is the entry's first argument. */
  code?: string;
}

/** What is in force for the processes a launch starts. */
export interface OsLayers {
  /** Node's permission-model flag, or null on a Node without one. */
  permission: string | null;
  /** The user and group the process runs as, or null when it runs as the host's own (non-root) user. */
  user: SandboxUser | null;
  /** Whether the process gets a network namespace of its own (no interfaces, not even loopback up). */
  networkNamespace: boolean;
  /**
   * Whether it gets a pid namespace (no other process of the machine can be seen or signalled), a mount
   * namespace in which /run and /dev/shm are empty (their Unix sockets, a database's among them, out of reach)
   * and an IPC namespace (System V shared memory, semaphores and message queues of its own).
   */
  privateNamespaces: boolean;
  /** Whether the process is not dumpable (no process of the same user can read its memory or trace it). */
  nonDumpable: boolean;
  /** RLIMIT_DATA in bytes, or null where it cannot be set. */
  dataLimitBytes: number | null;
  /** How the process dies with its host: the kernel's parent-death signal, or a watchdog thread. */
  parentDeath: "pdeathsig" | "watchdog";
}

/**
 * What the OS layer lacks on this platform, in words, for an operator to be told at start (red team dec11: a
 * non-root host's sandboxes share its user, pid and network namespaces, so code that escaped the realm could
 * signal the host and reach every loopback service, and nothing said so). Empty when everything is in force.
 */
export function missingOsLayers(layers: OsLayers): string[] {
  const missing: string[] = [];
  if (layers.permission === null) missing.push("Node's permission model (the sandbox may read, write and spawn as its user)");
  if (layers.user === null) missing.push("an unprivileged user of its own (the sandbox runs as the host's user and may signal the host)");
  if (!layers.networkNamespace) missing.push("a network namespace (the sandbox may connect to every loopback service: Redis, PostgreSQL)");
  if (!layers.privateNamespaces) missing.push("pid, mount and IPC namespaces (the sandbox sees the machine's processes and Unix sockets)");
  if (!layers.nonDumpable) missing.push("non-dumpable processes (a sandbox may read another's memory)");
  if (layers.dataLimitBytes === null) missing.push("a memory rlimit");
  return missing;
}

export interface SandboxLaunch {
  file: string;
  args: string[];
  options: SpawnOptions;
  layers: OsLayers;
}

/**
 * What a Node 24 process maps writable before any tenant work (measured: VmData ~560 MiB, almost all of
 * it V8's 512 MiB code range, reserved writable, plus thread stacks). RLIMIT_DATA below this stops Node
 * from starting ("Failed to reserve virtual memory for CodeRange").
 */
const BASE_DATA_MB = 768;
const MB = 1024 * 1024;
const SEARCH_PATH = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
/**
 * A network, pid, mount and IPC namespace; unshare forks, so the sandbox is not the namespace's init (whose
 * signals, SIGABRT among them, behave differently). IPC: System V shared memory, semaphores and message queues
 * are the machine's otherwise, and a segment outlives the process that made it (memory RLIMIT_DATA does not
 * count, left behind by a native escape: red team dec11); in a namespace of its own they go with it.
 */
const NAMESPACES = ["--net", "--pid", "--mount", "--mount-proc", "--ipc", "--fork", "--kill-child"];
/**
 * Run as root inside the new mount namespace, before the user is dropped: /run and /dev/shm (where Unix
 * sockets live) empty, /tmp and /var/tmp read-only (nothing to leave behind, no disk to fill); /proc shows
 * the namespace's own processes only (--mount-proc).
 */
const HIDE_SOCKET_DIRS = [
  "mount -t tmpfs -o mode=0755,size=16k tmpfs /run",
  "mount -t tmpfs -o mode=0755,size=16k tmpfs /dev/shm",
  "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp",
  "{ [ ! -d /var/tmp ] || { mount --bind /var/tmp /var/tmp && mount -o remount,bind,ro /var/tmp; }; }",
].join(" && ");

interface Platform {
  linux: boolean;
  root: boolean;
  permissionFlag: string | null;
  /** setpriv that can drop to a user and set the parent-death signal. */
  setpriv: string | null;
  /** unshare that could create a network namespace here (root, and the kernel allows it). */
  unshare: string | null;
  /** unshare that could also create pid and mount namespaces and hide /run and /dev/shm (through /bin/sh). */
  namespaces: string | null;
  prlimit: string | null;
  defaultUser: SandboxUser | null;
}

let platform: Platform | undefined;

/** Probed once: a few small exec's of util-linux tools, never tenant input. */
function probe(): Platform {
  if (platform) return platform;
  const linux = process.platform === "linux";
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const flags = process.allowedNodeEnvironmentFlags;
  const permissionFlag = flags.has("--permission") ? "--permission" : flags.has("--experimental-permission") ? "--experimental-permission" : null;
  const truePath = find("true");
  const works = (file: string | null, args: string[]) => {
    if (!file || !truePath) return null;
    const result = spawnSync(file, [...args, "--", truePath], { stdio: "ignore", timeout: 5000, env: {} });
    return result.status === 0 ? file : null;
  };
  platform = {
    linux,
    root,
    permissionFlag,
    setpriv: linux ? works(find("setpriv"), ["--pdeathsig=KILL"]) : null,
    unshare: linux && root ? works(find("unshare"), ["--net"]) : null,
    namespaces: linux && root ? namespacesWork(find("unshare"), truePath) : null,
    prlimit: linux ? works(find("prlimit"), ["--data=unlimited"]) : null,
    defaultUser: root ? defaultUser() : null,
  };
  return platform;
}

/** Whether unshare makes the namespaces and the shell hides the socket directories in them, here. */
function namespacesWork(unshare: string | null, truePath: string | null): string | null {
  if (!unshare || !truePath) return null;
  const result = spawnSync(unshare, [...NAMESPACES, "--", "/bin/sh", "-c", `${HIDE_SOCKET_DIRS} && "$@"; exit $?`, "sh", truePath], { stdio: "ignore", timeout: 5000, env: {} });
  return result.status === 0 ? unshare : null;
}

function find(name: string): string | null {
  for (const dir of SEARCH_PATH) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** nobody / nogroup (or a group named nobody) from the local databases, where they exist. */
function defaultUser(): SandboxUser | null {
  const uid = idOf("/etc/passwd", ["nobody"], 2);
  const gid = idOf("/etc/group", ["nogroup", "nobody"], 2);
  return uid === null || gid === null ? null : { uid, gid };
}

function idOf(file: string, names: string[], field: number): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const entries = new Map<string, number>();
  for (const line of text.split("\n")) {
    const parts = line.split(":");
    const id = Number(parts[field]);
    if (parts.length > field && parts[0] && Number.isInteger(id) && id > 0) entries.set(parts[0], id);
  }
  for (const name of names) if (entries.has(name)) return entries.get(name)!;
  return null;
}

/** Mode bits as the kernel applies them to a user with no supplementary groups (ACLs aside). */
function allows(stat: fs.Stats, user: SandboxUser, bit: number): boolean {
  if (stat.uid === user.uid) return (stat.mode & (bit << 6)) !== 0;
  if (stat.gid === user.gid) return (stat.mode & (bit << 3)) !== 0;
  return (stat.mode & bit) !== 0;
}

/** Why the sandbox user could not read (or run) `file`, or null when it can. */
function unreachable(file: string, user: SandboxUser, bit: number): string | null {
  try {
    checkReachable(file, user, bit);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * `file` where the sandbox user can read (or run) it. Installed under a directory it cannot enter (a
 * checkout in /root, mode 700), the file is staged in a root-owned directory of the system's temporary
 * directory that nobody else may write: hard-linked where it can be (no copy), copied otherwise. The runtime
 * refuses to start only when even that is not reachable.
 */
function reachableFor(file: string, user: SandboxUser, bit: number): string {
  const why = unreachable(file, user, bit);
  if (why === null) return file;
  let staged: string;
  try {
    staged = stage(file);
  } catch {
    throw new RuntimeError("INTERNAL_ERROR", why);
  }
  checkReachable(staged, user, bit);
  return staged;
}

/** Root-owned, not writable by group or others, and (for a directory) really one, not a link to one. */
function safeForSandbox(stat: fs.Stats): boolean {
  return stat.uid === 0 && (stat.mode & 0o022) === 0;
}

let stagingDir: string | undefined;

function stagingDirectory(): string {
  if (stagingDir) return stagingDir;
  const shared = path.join(os.tmpdir(), "tenantbox-sandbox-files");
  try {
    fs.mkdirSync(shared, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = fs.lstatSync(shared);
  // Someone else made it first (or it is a link): a private one instead, never theirs.
  stagingDir = stat.isDirectory() && safeForSandbox(stat) ? shared : fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-sandbox-"));
  fs.chmodSync(stagingDir, 0o755);
  return stagingDir;
}

/**
 * `file` staged (see reachableFor). With `mode`, always a copy of its own with that mode (a hard link would
 * share the original's mode); else a hard link where the file system allows. Stale stagings of the same
 * file (another build, another version of Node) are removed.
 */
function stage(file: string, mode?: number): string {
  const real = fs.realpathSync(file);
  const source = fs.statSync(real);
  if (!safeForSandbox(source)) throw new Error("not safe to share");
  // The Node binary is one file per version whichever checkout runs it (a 126 MB copy each would add up);
  // other files are identified by where they are and their inode.
  const identity = mode !== undefined ? `node\0${process.version}\0${process.arch}\0${source.size}` : `${real}\0${source.dev}:${source.ino}:${source.size}:${source.mtimeMs}`;
  const id = createHash("sha256").update(identity).digest("hex").slice(0, 16);
  // This package's .js files are ES modules (package.json "type": "module"), which a staged copy away from
  // that package.json must say by its own extension.
  const name = path.basename(real).replace(/\.js$/, ".mjs") + (mode === undefined ? "" : `.${mode.toString(8)}`);
  const dir = stagingDirectory();
  const target = path.join(dir, `${id}-${name}`);
  try {
    const existing = fs.lstatSync(target);
    if (existing.isFile() && safeForSandbox(existing) && existing.size === source.size && (mode === undefined || (existing.mode & 0o777) === mode)) return target;
    fs.rmSync(target, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  removeStale(dir, name, target);
  const temporary = `${target}.${process.pid}.${Date.now()}`;
  if (mode === undefined) {
    try {
      fs.linkSync(real, temporary);
    } catch {
      fs.copyFileSync(real, temporary);
      fs.chmodSync(temporary, source.mode & 0o555);
    }
  } else {
    // A reflink where the file system has them (no data copied), a copy otherwise: once per version.
    fs.copyFileSync(real, temporary, fs.constants.COPYFILE_FICLONE);
    fs.chmodSync(temporary, mode);
  }
  fs.renameSync(temporary, target);
  return target;
}

/** Older stagings of the same name (other builds, other Node versions), unused for a day. */
function removeStale(dir: string, name: string, keep: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  try {
    for (const entry of fs.readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (full === keep || !entry.endsWith(`-${name}`)) continue;
      const stat = fs.lstatSync(full);
      if (stat.isFile() && stat.atimeMs < dayAgo && stat.ctimeMs < dayAgo) fs.rmSync(full, { force: true });
    }
  } catch {
    /* cleaning is best effort */
  }
}

/**
 * The Node binary as a root-owned, execute-only copy: a process started from a file its user cannot read is
 * not dumpable, so no other process of that user (another tenant's sandbox, after an escape) can read its
 * memory or trace it. Where no copy can be made: the binary as it is, reachable (and dumpable).
 */
function executeOnlyCopy(node: string, user: SandboxUser): string {
  try {
    const copy = stage(node, 0o711);
    checkReachable(copy, user, 1);
    return copy;
  } catch {
    return reachableFor(node, user, 1);
  }
}

function unreadableBy(file: string, user: SandboxUser): boolean {
  try {
    return !allows(fs.statSync(file), user, 4);
  } catch {
    return false;
  }
}

/** Refuses to start, with the path to fix, when the sandbox user could not read (or run) what it must. */
function checkReachable(file: string, user: SandboxUser, bit: number): void {
  const parts = file.split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(dir, parts[i]!);
    const last = i === parts.length - 1;
    const stat = fs.statSync(next);
    if (!allows(stat, user, last ? bit : 1)) {
      throw new RuntimeError(
        "INTERNAL_ERROR",
        `tenantbox: sandbox processes run as uid ${user.uid} gid ${user.gid}, which cannot ${last ? (bit === 1 ? "run" : "read") : "enter"} ${next}: make it readable by that user or choose another with the sandboxUser option`,
      );
    }
    dir = next;
  }
}

/** The young generation's semi-space limit of a sandbox process (MiB). */
const SEMI_SPACE_MB = 8;

/** RLIMIT_DATA: the heap twice over (young generation, fragmentation) and one call's out-of-heap allowance. */
export function dataLimitBytes(memoryLimitMb: number, heapHeadroomMb: number): number {
  return (BASE_DATA_MB + 2 * (memoryLimitMb + heapHeadroomMb) + 4 * memoryLimitMb) * MB;
}

/**
 * The command, arguments and spawn options of a sandbox process running `entry` (an absolute path to a
 * file of trusted code): [unshare --net] [setpriv --reuid --regid --clear-groups --no-new-privs
 * --pdeathsig=KILL] [prlimit --data] node --permission --allow-fs-read=<entry> [--allow-fs-read=<code>]
 * --experimental-vm-modules --max-old-space-size --max-semi-space-size entry [code].
 * Every wrapper execs the next, so the process keeps one pid and the IPC channel (an inherited fd).
 */
export function sandboxLaunch(entry: string, settings: SandboxOsSettings, entryArgs: string[] = []): SandboxLaunch {
  const p = probe();
  let realEntry = fs.realpathSync(entry);
  let realCode = settings.code === undefined ? undefined : fs.realpathSync(settings.code);
  let node = process.execPath;
  let user: SandboxUser | null = null;
  if (p.root) {
    user = settings.user ?? p.defaultUser;
    if (!user) {
      throw new RuntimeError(
        "INTERNAL_ERROR",
        "tenantbox: the host runs as root and there is no user nobody / group nogroup to run sandbox processes as: set the sandboxUser option",
      );
    }
    if (user.uid === 0 || user.gid === 0) throw new TypeError('tenantbox: option "sandboxUser" must not be root (uid 0 or gid 0)');
    realEntry = reachableFor(realEntry, user, 4);
    if (realCode !== undefined) realCode = reachableFor(realCode, user, 4);
    node = executeOnlyCopy(fs.realpathSync(process.execPath), user);
  } else if (settings.user && settings.user.uid !== process.getuid?.()) {
    throw new RuntimeError("INTERNAL_ERROR", `tenantbox: sandboxUser is set but the host is not root, so it cannot switch to uid ${settings.user.uid}`);
  }

  const parentDeath: OsLayers["parentDeath"] = p.setpriv ? "pdeathsig" : "watchdog";
  const dataLimit = p.prlimit ? dataLimitBytes(settings.memoryLimitMb, settings.heapHeadroomMb) : null;
  // unshare needs root: it comes first, before setpriv drops the user. Without setpriv the spawn itself
  // drops the user, and there is no network namespace.
  const netns = p.unshare !== null && (p.setpriv !== null || user === null);
  const privateNamespaces = netns && p.namespaces !== null && p.setpriv !== null;
  const chain: string[] = [];
  if (privateNamespaces) {
    // unshare --fork stays the parent: it dies with the host (parent-death signal), and takes the
    // namespace (the sandbox with it) along; /bin/sh hides the socket directories, then waits, so a signal
    // that ends the sandbox comes back as its exit status (128 + signal).
    chain.push(p.setpriv!, "--pdeathsig=KILL", "--", p.namespaces!, ...NAMESPACES, "--", "/bin/sh", "-c", `${HIDE_SOCKET_DIRS} && "$@"; exit $?`, "sh");
  } else if (netns) chain.push(p.unshare!, "--net", "--");
  if (p.setpriv) {
    // setpriv sets the parent-death signal after the uid change (a credential change would clear it).
    chain.push(p.setpriv);
    if (user) chain.push(`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups");
    chain.push("--no-new-privs", "--pdeathsig=KILL", "--");
  }
  if (dataLimit !== null) chain.push(p.prlimit!, `--data=${dataLimit}`, "--");
  const argv = [
    ...chain,
    node,
    ...(p.permissionFlag ? [p.permissionFlag, `--allow-fs-read=${realEntry}`, ...(realCode === undefined ? [] : [`--allow-fs-read=${realCode}`])] : []),
    // The watchdog thread is the only worker a sandbox process may start, and only where the kernel's
    // parent-death signal is not available.
    ...(p.permissionFlag && parentDeath === "watchdog" ? ["--allow-worker"] : []),
    // A native import() in a realm reaches its script's callback (a primitive), not Node's host error (dynamic-import.ts).
    VM_MODULES_FLAG,
    `--max-old-space-size=${settings.memoryLimitMb + settings.heapHeadroomMb}`,
    // V8 let the young generation of a process this size grow to 64 MiB semi-spaces: small hooks back to
    // back kept about 30 MiB of each sandbox process's memory in it, and were no faster for it (measured:
    // 165 -> 133 MiB RSS per process at 8, the same calls/s and CPU per call, a CPU-heavy hook as fast).
    `--max-semi-space-size=${SEMI_SPACE_MB}`,
    realEntry,
    ...(realCode === undefined ? [] : [realCode]),
    ...(parentDeath === "watchdog" ? ["--watchdog"] : []),
    ...entryArgs,
  ];
  const options: SpawnOptions = {
    // An empty environment, IPC only (nothing a tenant does is printed), and a directory anyone may enter.
    env: {},
    // Descriptor 3 is the runtime's channel (frame-channel.ts), not Node's IPC: a child cannot crash the
    // host through it.
    stdio: ["ignore", "ignore", "ignore", "pipe"],
    cwd: "/",
  };
  if (user && !p.setpriv) {
    options.uid = user.uid;
    options.gid = user.gid;
  }
  return {
    file: argv[0]!,
    args: argv.slice(1),
    options,
    layers: {
      permission: p.permissionFlag,
      user,
      networkNamespace: netns,
      privateNamespaces,
      nonDumpable: user !== null && node !== process.execPath && unreadableBy(node, user),
      dataLimitBytes: dataLimit,
      parentDeath,
    },
  };
}
