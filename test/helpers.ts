import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { IsolatedRuntime, RuntimeError } from "../dist/index.js";
import type { RuntimeEventName, RuntimeEvents, RuntimeOptions } from "../dist/index.js";

export { IsolatedRuntime, RuntimeError };

const created: string[] = [];

/** Writes `files` (relative path -> contents) into a fresh temp folder and returns its absolute path. */
export function makeTenant(files: Record<string, string> = {}, parent?: string): string {
  const folder = parent ?? fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-"));
  if (!parent) created.push(folder);
  writeFiles(folder, files);
  return folder;
}

/** A package in a tenant's node_modules (library code): its package.json, main index.js, and that file. */
export function libraryPackage(name: string, indexSource: string): Record<string, string> {
  return { [`node_modules/${name}/package.json`]: JSON.stringify({ name, main: "index.js" }), [`node_modules/${name}/index.js`]: indexSource };
}

/** Writes files into an existing folder, creating directories as needed. */
export function writeFiles(folder: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(folder, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
}

/** A fresh empty temp directory (not a tenant by itself), removed by cleanupTenants(). */
export function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-"));
  created.push(dir);
  return dir;
}

/** Removes every folder made by makeTenant/makeTempDir in this test file. */
export function cleanupTenants(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The runtime the suites use: small, fast, overridable. */
export function makeRuntime(options: RuntimeOptions = {}): InstanceType<typeof IsolatedRuntime> {
  return new IsolatedRuntime({ maxThreads: 2, minThreads: 1, timeout: 1000, ...options });
}

/** Runs a request and returns the RuntimeError it rejects with (fails the test if it resolves). */
export async function runError(
  runtime: InstanceType<typeof IsolatedRuntime>,
  request: Parameters<InstanceType<typeof IsolatedRuntime>["run"]>[0],
): Promise<InstanceType<typeof RuntimeError>> {
  let value: unknown;
  try {
    value = await runtime.run(request);
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    return error as InstanceType<typeof RuntimeError>;
  }
  throw new Error(`expected run() to reject, but it resolved with ${safeJson(value)}`);
}

/** Asserts that run() rejects with `code`, returns the error. */
export async function expectCode(
  runtime: InstanceType<typeof IsolatedRuntime>,
  request: Parameters<InstanceType<typeof IsolatedRuntime>["run"]>[0],
  code: string,
): Promise<InstanceType<typeof RuntimeError>> {
  const error = await runError(runtime, request);
  expect(error.code, `error ${error.code}: ${error.message}`).toBe(code);
  return error;
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A simple module that proves the runtime still works. */
export const BENIGN = "exports.ping = (x) => ({ pong: x });\n";

/** Checks that a benign call still succeeds on `runtime` (after a timeout, OOM, escape attempt, ...). */
export async function expectUsable(runtime: InstanceType<typeof IsolatedRuntime>): Promise<void> {
  const folder = makeTenant({ "benign.js": BENIGN });
  await expect(runtime.run({ folder, file: "benign.js", funcName: "ping", args: [42] })).resolves.toEqual({ pong: 42 });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first `event` whose payload satisfies `predicate`; rejects after `timeoutMs`. Listen before changing files. */
export function waitFor<E extends RuntimeEventName>(
  runtime: InstanceType<typeof IsolatedRuntime>,
  event: E,
  predicate: (payload: RuntimeEvents[E]) => boolean = () => true,
  timeoutMs = 4000,
): Promise<RuntimeEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: RuntimeEvents[E]) => {
      let ok = false;
      try {
        ok = predicate(payload);
      } catch {
        ok = false;
      }
      if (!ok) return;
      clearTimeout(timer);
      runtime.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      runtime.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    runtime.on(event, listener);
  });
}

/**
 * The longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop stalled. A
 * stall inside already-settled awaits shows only once a timer gets to run again, hence the last sleep.
 */
export async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    await sleep(10);
    longest = Math.max(longest, performance.now() - last);
  } finally {
    clearInterval(ticker);
  }
  return longest;
}
