import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { until } from "./service-helpers.js";

const NODE = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

const started: ServeProcess[] = [];

/**
 * A `tenantbox serve` this test started (with its service processes, under --workers): its output, the
 * pids of the processes that listen, and its exit. `stopAll()` ends only what these tests started.
 */
export class ServeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = "";
  private err = "";

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(NODE, [CLI, "serve", ...args], { env: { ...process.env, TENANTBOX_LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    started.push(this);
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.out += chunk));
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** pino's JSON lines. */
  logs(): Array<Record<string, any>> {
    return this.out
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, any>);
  }

  /** The pids that said "Server listening", in order, and the URL (the same for all). */
  listening(): { pids: number[]; url: string } {
    const lines = this.logs().filter((log) => /^Server listening at /.test(String(log.msg)));
    return { pids: lines.map((log) => log.pid as number), url: lines.length ? String(lines[0]!.msg).replace("Server listening at ", "") : "" };
  }

  /** Waits until `count` processes have listened in all; returns the URL. */
  async listened(count = 1, timeoutMs = 20_000): Promise<string> {
    await until(
      () => {
        if (this.child.exitCode !== null) throw new Error(`serve exited ${this.child.exitCode}: ${this.err}`);
        return this.listening().pids.length >= count;
      },
      `${count} service process(es) to listen`,
      timeoutMs,
    );
    return this.listening().url;
  }

  /** The pids that answered requests with `status`. */
  pidsAnswering(status?: number): Set<number> {
    return new Set(
      this.logs()
        .filter((log) => log.msg === "request completed" && (status === undefined || log.res?.statusCode === status))
        .map((log) => log.pid as number),
    );
  }
}

/** Ends every serve these tests started that is still running, and waits for it. */
export async function stopAllServes(): Promise<void> {
  for (const serve of started.splice(0)) {
    if (serve.child.exitCode === null && serve.child.signalCode === null) {
      serve.child.kill("SIGKILL");
      for (const pid of serve.listening().pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await serve.exited;
    }
  }
}
