// The command line, loaded by launcher.ts (dist/cli.js) once Node.js is known to be new enough.
import { version } from "../../package.json";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./args.js";
import { checkCommand } from "./check-command.js";
import { demoCommand } from "./demo-command.js";
import { emitCommand } from "./emit-command.js";
import { runCommand } from "./run-command.js";
import { serveCommand } from "./serve-command.js";
import { auditCommand } from "./audit-command.js";
import { jobsCommand } from "./jobs-command.js";
import { tokenCommand } from "./token-command.js";
import { USAGE } from "./usage.js";
import type { EarlyStops } from "./early-stops.js";

const COMMANDS: Record<string, (argv: string[], early?: EarlyStops) => Promise<number>> = {
  run: runCommand,
  emit: emitCommand,
  check: checkCommand,
  demo: demoCommand,
  serve: serveCommand,
  audit: auditCommand,
  jobs: jobsCommand,
  token: tokenCommand,
};

async function main(argv: string[], early: EarlyStops | undefined): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`tenantbox ${version}\n`);
    return EXIT_OK;
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    process.stderr.write(`tenantbox: unknown command "${command}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await handler(rest, early);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tenantbox ${command}: ${error.message}\nRun "tenantbox --help" for usage.\n`);
    return EXIT_USAGE;
  }
}

// `tenantbox run ... | head`: a reader that goes away is not an error worth a stack trace. Output that cannot be
// written (`> /dev/full`, a full disk, a file system gone read-only) fails the command with one line that says
// so, not a stack trace of ours; when stderr is what failed there is nowhere to say it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT_OK);
    if (stream === process.stdout) {
      try {
        process.stderr.write(`tenantbox: cannot write the output: ${error.message}\n`);
      } catch {
        // stderr is gone too
      }
    }
    process.exit(EXIT_FAILURE);
  });
}

/** Runs one command line; `early`: the stop signals launcher.ts held for `serve` while this module loaded. */
export function runCli(argv: string[], early?: EarlyStops): void {
  main(argv, early).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tenantbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
