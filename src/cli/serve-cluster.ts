import cluster, { type Worker } from "node:cluster";
import os from "node:os";
import { answerClusterMetrics } from "../service/cluster-metrics.js";
import { isMachineRequest, MachineState } from "../service/machine-state.js";
import { EXIT_FAILURE, EXIT_OK } from "./args.js";
import type { StopSignals } from "./stop-signals.js";

/** `--workers` by default: one service process per two cores, at least one. */
export function defaultWorkers(): number {
  return Math.max(1, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / 2));
}

/**
 * The most service processes `--workers` may start: four per core (each has its own sandbox processes and
 * some 100 MB; past the cores they only share them). 500 on a 2-core machine left processes behind when
 * the overloaded tree was stopped.
 */
export function maxWorkers(): number {
  return 4 * Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

const CONFIG_ASK = "tenantbox:config";
const CONFIG_ANSWER = "tenantbox:config-answer";
const CONFIG_TIMEOUT_MS = 30_000;

/**
 * In a service process of `serve --workers`: the config file's text as the primary read it. The primary reads
 * it once for them all: a pipe (`--config <(...)`) can be read only once (each process read it again and found
 * it empty: "invalid JSON"), and a file edited since would give a replacement process other tenants.
 */
export function configFromPrimary(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const onMessage = (message: { type?: unknown; text?: unknown } | null) => {
      if (message?.type !== CONFIG_ANSWER || typeof message.text !== "string") return;
      clearTimeout(timer);
      process.off("message", onMessage);
      resolve(message.text);
    };
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("the primary process did not send the config"));
    }, CONFIG_TIMEOUT_MS);
    process.on("message", onMessage);
    process.send!({ type: CONFIG_ASK });
  });
}

/**
 * The primary of `serve --workers N`: forks N service processes that share the port (node:cluster), keeps
 * the state they share (counters, rate limits, slots: machine-state.ts), answers their /metrics with
 * everyone's, replaces one that dies (its slots given back), and on SIGTERM/SIGINT lets every one of them
 * drain (exit 0 when all did; `stops` has taken the signals since serve began). A process that dies before
 * it ever listened is a failure to start (a bad database, a port in use): everything stops with status 1
 * rather than restarting it in a loop.
 */
export function runPrimary(workers: number, stops: StopSignals, configText: string): Promise<number> {
  answerClusterMetrics();
  const state = new MachineState();
  cluster.on("message", (worker, message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === CONFIG_ASK) {
      if (worker.isConnected()) worker.send({ type: CONFIG_ANSWER, text: configText });
      return;
    }
    if (!isMachineRequest(message)) return;
    void state.answer(worker.id, message).then((reply) => {
      if (worker.isConnected()) worker.send(reply);
    });
  });
  const alive = new Set<Worker>();
  const listened = new Set<Worker>();
  let stopping = false;
  let status = EXIT_OK;
  const fork = () => {
    const worker = cluster.fork();
    alive.add(worker);
    worker.once("listening", () => listened.add(worker));
  };
  for (let i = 0; i < workers; i++) fork();

  return new Promise<number>((resolve) => {
    const stopAll = () => {
      stopping = true;
      for (const worker of alive) worker.process.kill("SIGTERM");
      if (alive.size === 0) resolve(status);
    };
    cluster.on("exit", (worker, code, signal) => {
      alive.delete(worker);
      state.dropHolder(worker.id);
      const how = signal ?? `status ${code}`;
      if (stopping) {
        // A replacement still starting when the stop came ends on the signal itself: nothing was lost. That is
        // SIGINT too when a terminal's Ctrl-C reached the whole group before its handlers were set.
        const stoppedWhileStarting = !listened.has(worker) && (signal === "SIGTERM" || signal === "SIGINT");
        if (code !== 0 && !stoppedWhileStarting) status = EXIT_FAILURE;
        if (alive.size === 0) resolve(status);
        return;
      }
      if (!listened.has(worker)) {
        process.stderr.write(`tenantbox serve: a service process ended before it listened (${how}); stopping\n`);
        status = EXIT_FAILURE;
        stopAll();
        return;
      }
      process.stderr.write(`tenantbox serve: service process ${worker.process.pid} ended (${how}); starting another\n`);
      fork();
    });
    // A signal again within a second of the first is the same one delivered twice (StopSignals ignores it).
    stops.onAgain = (signal) => {
      process.stderr.write(`tenantbox serve: ${signal} again, exiting now\n`);
      for (const worker of alive) worker.process.kill("SIGKILL");
      process.exit(EXIT_FAILURE);
    };
    void stops.requested.then((signal) => {
      process.stderr.write(`tenantbox serve: ${signal}: finishing in-flight work in ${alive.size} service processes\n`);
      stopAll();
    });
  });
}
