// What every suite's child process does with its parent (run.mjs runChild): runs the suite on the config the
// parent sends, and sends back its result and the CPU time of the whole process, or its error.

/** Runs `main(config)` when the parent's message comes, answers once, and lets the process end. */
export function answerParent(main) {
  process.once("message", async (config) => {
    // A runtime holds no handle while it waits on its loader threads: this one keeps the process alive.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      const result = await main(config);
      const cpu = process.cpuUsage(); // every thread of this process: main and workers
      process.send({ ok: true, cpuSeconds: (cpu.user + cpu.system) / 1e6, result });
    } catch (error) {
      process.send({ ok: false, error: String(error?.stack ?? error) });
    }
    clearInterval(keepAlive);
    process.disconnect();
  });
}
