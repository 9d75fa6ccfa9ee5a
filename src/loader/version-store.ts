import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CompiledVersion, CompileInput } from "./compile.js";
import { readRegularFile } from "./read-regular-file.js";
import { TOO_DEEP } from "./validate.js";
import type { VersionStoreConfig } from "./version-store-key.js";

/** What the store's entries may take on disk (bytes); past it the oldest go, down to three quarters of it. */
export const MAX_STORE_BYTES = 256 * 1024 * 1024;
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const SUFFIX = ".version";
/** The layout of an entry: changed, every older entry misses. */
const FORMAT = "tenantbox-version-1";

/**
 * A refusal that says more about the thread than the text: a stack that overflowed while walking (TOO_DEEP)
 * or while acorn parsed (its "Not enough stack space") comes sooner on a cold thread than on a warm one.
 * Stored, one thread's cold verdict would be every tenant's with the same file, after restarts too (red
 * team, F2): it is compiled again instead.
 */
function dependsOnThread(version: CompiledVersion): boolean {
  return (
    version.rejection?.some(
      (issue) => (issue.rule === TOO_DEEP.rule && issue.message === TOO_DEEP.message) || (issue.rule === "syntax" && issue.message.includes("Not enough stack space")),
    ) ?? false
  );
}

/** What the threads of one pool share about the store: [KiB its entries take as last counted, "counted at start"]. */
export function storeShare(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/**
 * Compiled versions on disk, across restarts and processes (the opt-in compileCacheDir): a loader thread
 * that has compiled a text once for a level, kind and scoring does not parse, check and transform it again.
 * An entry is named by the hash of everything that decides the compile's output (the text, the module id,
 * the kind, the level, scoring, and this loader's own code), so it can only answer for that very input; and
 * it is signed with the directory's key (HMAC-SHA256), so a file put there by anyone else (the directory is
 * attacker-adjacent) is a miss, never a verdict. Bounded by MAX_STORE_BYTES, oldest out.
 */
export class VersionStore {
  private readonly key: Buffer;
  private readonly pipeline: string;

  constructor(
    private readonly config: VersionStoreConfig,
    private readonly share: Int32Array,
    private readonly maxBytes = MAX_STORE_BYTES,
  ) {
    this.key = Buffer.from(config.key, "hex");
    this.pipeline = pipelineId();
    // The first thread of a pool counts what is there (and trims it): later writes add to that count.
    if (Atomics.compareExchange(share, 1, 0, 1) === 0) this.prune();
  }

  /** The stored version of this input, or `compileNow`'s (then stored); built-ins are the runtime's own: never stored. */
  compile(input: CompileInput, compileNow: (input: CompileInput) => CompiledVersion): CompiledVersion {
    if (input.kind === "builtin") return compileNow(input);
    const name = this.entryName(input);
    const stored = this.read(name);
    if (stored) return stored;
    const version = compileNow(input);
    if (!dependsOnThread(version)) this.write(name, version);
    return version;
  }

  private entryName(input: CompileInput): string {
    const hash = createHash("sha256");
    // Length-prefixed, so that no two inputs run together into the same bytes.
    // Node's version too: what the loader accepts can depend on it (TypeScript's type stripping).
    for (const part of [FORMAT, this.pipeline, process.version, input.kind, input.securityLevel, input.scoring ? "scoring" : "", input.countIterations ? "counted" : "", input.id, input.code]) {
      hash.update(`${part.length}:`).update(part);
    }
    return hash.digest("hex") + SUFFIX;
  }

  private mac(name: string, body: string): Buffer {
    return createHmac("sha256", this.key).update(name).update("\n").update(body).digest();
  }

  /** The entry's version if it is there, ours (its signature checks) and whole; undefined otherwise. */
  private read(name: string): CompiledVersion | undefined {
    let text: string;
    try {
      // Refuses symbolic links, FIFOs and hard links as it does for tenant files.
      text = readRegularFile(path.join(this.config.dir, name), MAX_ENTRY_BYTES);
    } catch {
      return undefined;
    }
    const newline = text.indexOf("\n");
    if (newline !== 64) return undefined;
    const body = text.slice(newline + 1);
    const signature = Buffer.from(text.slice(0, newline), "hex");
    if (signature.length !== 32 || !timingSafeEqual(signature, this.mac(name, body))) return undefined;
    try {
      const version = JSON.parse(body) as CompiledVersion;
      return isVersion(version) ? version : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes an entry whole or not at all (a temporary file renamed into place); a store that cannot be written is skipped. */
  private write(name: string, version: CompiledVersion): void {
    const body = JSON.stringify(version);
    const text = `${this.mac(name, body).toString("hex")}\n${body}`;
    const file = path.join(this.config.dir, name);
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      fs.writeFileSync(temporary, text, { mode: 0o600, flag: "wx" });
      fs.renameSync(temporary, file);
    } catch {
      fs.rmSync(temporary, { force: true });
      return;
    }
    const kib = Math.ceil(Buffer.byteLength(text) / 1024);
    if (Atomics.add(this.share, 0, kib) + kib > this.maxBytes / 1024) this.prune();
  }

  /** Counts the entries' bytes and, past the bound, removes the oldest down to three quarters of it (and stray temporaries). */
  private prune(): void {
    const entries: { file: string; bytes: number; at: number }[] = [];
    let total = 0;
    try {
      for (const entry of fs.readdirSync(this.config.dir, { withFileTypes: true })) {
        if (!entry.isFile() || !(entry.name.endsWith(SUFFIX) || entry.name.endsWith(".tmp"))) continue;
        const file = path.join(this.config.dir, entry.name);
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        if (!stat) continue;
        entries.push({ file, bytes: stat.size, at: entry.name.endsWith(".tmp") ? 0 : stat.mtimeMs });
        total += stat.size;
      }
    } catch {
      return;
    }
    if (total > this.maxBytes) {
      entries.sort((a, b) => a.at - b.at);
      for (const entry of entries) {
        if (total <= this.maxBytes * 0.75) break;
        fs.rmSync(entry.file, { force: true });
        total -= entry.bytes;
      }
    }
    Atomics.store(this.share, 0, Math.ceil(total / 1024));
  }
}

/** This loader's own code, hashed: a build that compiles differently never reads an older build's entries. */
function pipelineId(): string {
  return createHash("sha256").update(fs.readFileSync(fileURLToPath(import.meta.url))).digest("hex");
}

const isStrings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === "string");

/** The shape of a CompiledVersion (the signature says who wrote it; this, that it is whole). */
function isVersion(value: CompiledVersion): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value.format === "cjs" || value.format === "esm" || value.format === "json") &&
    typeof value.hash === "string" &&
    typeof value.source === "string" &&
    typeof value.bytes === "number" &&
    isStrings(value.specifiers) &&
    isStrings(value.exports?.names) &&
    typeof value.exports.complete === "boolean" &&
    Array.isArray(value.warnings) &&
    (value.rejection === undefined || Array.isArray(value.rejection))
  );
}
