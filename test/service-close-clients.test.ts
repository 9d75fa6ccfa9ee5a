import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { removeTempDirs, running, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// Graceful close with clients that go away: a response whose connection closed never emits 'finish', and
// close() must not wait the whole shutdown bound (longest execution limit + 30 s) for it.

const servers: TenantboxServer[] = [];

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  removeTempDirs();
});

const ANSWER_CHARS = 16 * 1024 * 1024;
const MODULE = `exports.big = () => "x".repeat(${ANSWER_CHARS});
exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return "slow done"; };
`;

async function startServer(dataDir = tempDir("tenantbox-data-")): Promise<{ server: TenantboxServer; base: string; port: number; dataDir: string }> {
  const root = tempDir("tenantbox-root-");
  writeTenants(root, { acme: { "m.js": MODULE } });
  // The bound close() would otherwise wait is 5 s + 30 s: far past what the tests allow.
  const config = parseConfig({ tenants: [{ id: "acme", tier: "enterprise", quotas: { maxOutputSizeKB: 65_536, maxExecutionDurationMs: 5_000 } }] });
  const server = new TenantboxServer({ root, config, dataDir, jwtSecret: SECRET, watch: false, maxThreads: 1 });
  servers.push(server);
  const base = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, base, port: Number(new URL(base).port), dataDir };
}

/** A raw client that sends one POST and never reads a byte of the answer. */
async function silentClient(port: number, route: string, json: unknown): Promise<net.Socket> {
  const token = await signToken(SECRET, { tenantId: "acme", sub: "u" });
  const body = JSON.stringify(json);
  const socket = net.connect(port, "127.0.0.1");
  socket.pause();
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    `POST ${route} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

/** Whether `promise` settles within `ms`. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe("graceful close with a client that goes away", () => {
  it("a client that drops mid-answer (never read) does not hold close() open", async () => {
    const { server, port } = await startServer();
    const socket = await silentClient(port, "/v1/run", { file: "m.js", funcName: "big" });
    // The execution is recorded before its answer is written; then the answer fills the socket's buffers.
    await until(async () => (await server.service.auditLog({ tenant: "acme" })).length === 1, "the big execution's audit row");
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    expect(await within(server.close(), 3000), "close() resolves within 3 s of the client dropping").toBe(true);
  });

  it("a client that drops before its answer: its call is cancelled, close() waits for the handler (its audit row), then resolves", async () => {
    const { server, base, port, dataDir } = await startServer();
    const socket = await silentClient(port, "/v1/run", { file: "m.js", funcName: "slow", args: [800] });
    await until(() => running(base, 1), "the slow execution to run");
    socket.destroy();
    const closing = server.close();
    expect(await within(closing, 3000), "close() resolves soon after the handler ends").toBe(true);
    // The call ended CANCELLED (its client is gone), and its row was written before the database closed.
    const { server: next } = await startServer(dataDir);
    expect(await next.service.auditLog({ tenant: "acme" })).toMatchObject([{ funcName: "slow", success: false, errorCode: "CANCELLED" }]);
  });
});
