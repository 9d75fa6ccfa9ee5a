#!/usr/bin/env node
// The CLI's entry, small on purpose: the Node.js check before any other module is loaded (the rest brings
// native addons and the whole service), and for `serve` the stop signals held while that rest loads.
import "./node-check.js";
import { EarlyStops } from "./early-stops.js";

const early = process.argv[2] === "serve" ? new EarlyStops() : undefined;
// A module of its own, named by URL so that the bundler leaves it where it is.
const main = new URL(import.meta.url.endsWith(".cjs") ? "./cli-main.cjs" : "./cli-main.js", import.meta.url).href;
import(main).then(
  (cli: { runCli: (argv: string[], early?: EarlyStops) => void }) => cli.runCli(process.argv.slice(2), early),
  (error: unknown) => {
    process.stderr.write(`tenantbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // EXIT_FAILURE (args.ts, which brings the library with it).
    process.exitCode = 1;
  },
);
