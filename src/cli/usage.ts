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
      Validate every .js, .cjs and .mjs file (and every .json file's syntax) under <folder>,
      skipping node_modules, dot-directories and symbolic links. Prints one line per issue:
        file:line:column rule message               (an error)
        file:line:column rule (warning) message     (a warning)
      (line and column are 1-based), then a summary. The hooks manifest tenantbox.json is
      checked too: schema, files inside the folder, modules that validate and export the
      functions it names. Exit 1 if there is any error.

  tenantbox demo [examplesFolder]
      Run a few calls over the example tenants (default: examples/modules).

  tenantbox --help | --version

Exit codes: 0 success, 1 failure (tenant error or check errors), 2 bad command line.
`;
