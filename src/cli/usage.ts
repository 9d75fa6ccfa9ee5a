export const USAGE = `tenantbox: run untrusted JavaScript modules in isolated sandboxes

Usage:
  tenantbox run <folder> <file> <funcName> [jsonArg ...] [options]
      Call an exported function of <file> (relative to the tenant <folder>) and print its
      return value as JSON. Each jsonArg is parsed as JSON: quote strings ('"hello"');
      arguments after "--" are never taken as options. <folder> may be relative.
      --context <json>          the read-only global \`context\` the function sees
      --timeout <ms>            wall-clock limit for the call (default 5000)
      --security-level <level>  STRICT | SECURE | STANDARD (default) | PERMISSIVE
      --memory-limit <mb>       heap limit of the sandbox worker (default 64)
      --tools <module>          trusted host module whose default (or toolHandler) export
                                answers the tenant's callTool(name, args)
      --demo-tools              answer callTool with the demo CRM ("crm:lookup")
      Exit 0 with the value on stdout (nothing for undefined); exit 1 with
      {"code","message",...} on stderr. Tenant console output goes to stderr as [level] lines.

  tenantbox emit <folder> <event> [jsonPayload] [options]
      Run every handler the folder's tenantbox.json declares for <event>, each in its own
      invocation, and print one result per handler ({file, funcName, success, value | error,
      durationMs}) in manifest order. Takes the options of run. Exit 1 if any handler failed.

  tenantbox check <folder> [--security-level <level>]
      Validate every .js, .cjs, .mjs, .ts, .mts and .cts file (and every .json file's syntax)
      under <folder>, skipping node_modules, dot-directories and symbolic links (a directory
      more than 30 levels down, where the runtime loads nothing, is a warning). Prints one
      line per issue:
        file:line:column rule message               (an error)
        file:line:column rule (warning) message     (a warning)
      (line and column are 1-based), then a summary. The hooks manifest tenantbox.json is
      checked too: schema, files inside the folder, modules that validate and export the
      functions it names. Exit 1 if there is any error.

  tenantbox serve --root <dir> --config <file> [options]
      Run the multi-tenant HTTP service: tenant <id>'s code lives in <dir>/<id>/, the tenants,
      their tiers, permissions, tools and quotas in the JSON config file. Tokens are HS256
      JWTs signed with TENANTBOX_JWT_SECRET (or the config's auth.secret / auth.jwksUrl).
      --port <n>                default 3000 (0: any free port)
      --host <address>          default 127.0.0.1
      --data <dir>              SQLite database (audit log, documents); default ./.tenantbox
      --database <postgres://>  keep the audit log and documents in PostgreSQL (shared by
                                every node); the config's database.url does the same
      --redis <url>             keep quota counters, rate limits and concurrency slots in Redis
                                (shared by every node); default: in memory, restored from the
                                audit log (with --workers: in the primary process's memory)
      --redis-prefix <p>        what every Redis key starts with; default tenantbox
      --workers <n>             service processes on one port (default: one per 2 cores, at most
                                4 per core); the sandbox workers are divided among them
      --max-threads <n>         sandbox workers per memory class and service process (default:
                                two per CPU, divided among the --workers)
      --watch                   watch tenant folders instead of checking files on every call
                                (faster; only for tenants whose file activity you trust: the
                                watcher shares the main thread)
      --dev                     a development secret if none is set (public: loopback --host
                                only), and curl lines with a token for each tenant
      --demo-tools              register the demo CRM tool (crm:lookup)
      SIGTERM/SIGINT: stop accepting, finish in-flight work, close the database; exit 0.

  tenantbox audit [--data <dir> | --database <postgres://...>] [--tenant <id>] [--since <15m|24h|7d|date>] [--limit <n>] [--json]
      Print the audit log, newest first (default: the last 100 executions; --limit at most 10000).

  tenantbox jobs [--data <dir> | --database <postgres://...> | --redis <url> [--redis-prefix <p>]] [--tenant <id>] [--failed] [--limit <n>] [--json]
      Print the queued events' jobs (one per handler), newest first (default: the last 100, at most 10000):
      state, attempts and last error. --failed: dead letters only.

  tenantbox token --config <file> --tenant <id> [--sub <name>] [--permissions <a,b>] [--ttl <30d>] [--dev]
      Print a token for one tenant of the config, signed with the secret tenantbox serve verifies
      with (TENANTBOX_JWT_SECRET, the config's auth.secret, or with --dev the development secret).
      --permissions narrows the tenant's own grants: tool:<name>, tool:<prefix>* or tool:*,
      comma-separated (an empty list allows no tool); --ttl: 600s, 12h, 30d, 1w (not 0).

  tenantbox demo [examplesFolder]
      Run a few calls over the example tenants (default: examples/modules).

  tenantbox --help | --version

Exit codes: 0 success, 1 failure (tenant error or check errors), 2 bad command line.
`;

/**
 * What `tenantbox <command> --help` prints: the header, that command's section of USAGE (and the sections
 * it refers to: emit takes run's options), and the exit codes.
 */
export function usageOf(...commands: string[]): string {
  const lines = USAGE.split("\n");
  const sections: string[] = [];
  for (const command of commands) {
    const start = lines.findIndex((line) => line.startsWith(`  tenantbox ${command} `) || line === `  tenantbox ${command}`);
    if (start < 0) continue;
    let end = start + 1;
    while (end < lines.length && !lines[end]!.startsWith("  tenantbox ") && !lines[end]!.startsWith("Exit codes:")) end++;
    sections.push(lines.slice(start, end).join("\n").trimEnd());
  }
  if (sections.length === 0) return USAGE;
  return `${lines[0]}\n\nUsage:\n${sections.join("\n\n")}\n\n${lines.find((line) => line.startsWith("Exit codes:"))}\n`;
}
