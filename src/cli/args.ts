import fs from "node:fs";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { SECURITY_LEVELS, type SecurityLevel } from "../index.js";

/** A mistake on the command line: the CLI prints the message and the usage hint, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const EXIT_OK = 0;
/** The command ran and found a failure: a tenant error, or check errors. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown command or option, bad JSON argument, missing operand. */
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig["options"]>;

const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity)/;

/** The library's message for a command's own line: without its "tenantbox: " (the command names itself). */
export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^tenantbox: /, "");
}

/**
 * node:util parseArgs in strict mode, its errors turned into UsageError. Negative numbers (`-5`, a JSON
 * argument or an option value) are taken as values, not as unknown short options. A command that takes no
 * operands (`allowPositionals: false`: serve, audit, jobs, token) refuses one rather than ignoring it.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  const hidden = new Map<string, string>();
  const end = argv.indexOf("--");
  const masked = argv.map((arg, index) => {
    if ((end !== -1 && index > end) || !NEGATIVE_NUMBER.test(arg)) return arg;
    const key = `\u0000tenantbox-arg-${index}`;
    hidden.set(key, arg);
    return key;
  });
  const unmask = (value: string) => hidden.get(value) ?? value;
  let parsed;
  try {
    parsed = parseArgs({ args: masked, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(message);
  }
  // An option that takes a value, given twice, kept the last one silently (`--config a.json --config b.json`,
  // `--timeout 100 ... --timeout 5000`): which one was meant is the person's to say.
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || token.value === undefined) continue;
    const values = given.get(token.name) ?? [];
    values.push(unmask(token.value));
    given.set(token.name, values);
    if (values.length === 2) {
      throw new UsageError(`--${token.name} is given more than once (${values.map((value) => JSON.stringify(value.slice(0, 40))).join(" and ")}): give it once`);
    }
  }
  if (!allowPositionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(unmask(parsed.positionals[0]!))}: this command takes options only`);
  }
  const values = parsed.values as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === "string") values[key] = unmask(value);
    else if (Array.isArray(value)) values[key] = value.map((item) => (typeof item === "string" ? unmask(item) : item));
  }
  return { values: parsed.values, positionals: parsed.positionals.map(unmask) };
}

export function parseSecurityLevel(value: string | undefined): SecurityLevel | undefined {
  if (value === undefined) return undefined;
  const level = SECURITY_LEVELS.find((name) => name === value.toUpperCase());
  if (!level) {
    throw new UsageError(`--security-level must be one of ${SECURITY_LEVELS.join(", ")}, got "${value}"`);
  }
  return level;
}

export function parsePositiveInteger(name: string, value: string | undefined, max?: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${name} must be a positive integer${max === undefined ? "" : ` (at most ${max})`}, got "${value}"`);
  }
  if (max !== undefined && Number(value) > max) throw new UsageError(`${name} must be at most ${max}, got ${value}`);
  return Number(value);
}

/** Parses one command-line value as JSON; `what` names it in the error ("argument 2", "--context"). */
export function parseJsonValue(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const hint = /^[A-Za-z_]/.test(text.trim()) ? ` (strings must be JSON-quoted, e.g. '"${text.trim().slice(0, 20)}"')` : "";
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}${hint}`);
  }
}

/** A folder argument (or `option`'s value), absolute; a usage error naming it when it is not an existing directory (run, emit, check and serve --root alike). */
export function existingFolder(argument: string, option?: string): string {
  const folder = path.resolve(nonEmptyPath(argument, option ?? "<folder>"));
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new UsageError(`${option === undefined ? "" : `${option} `}${argument} is not a directory`);
  return folder;
}

/**
 * A path argument as given, refused when empty: path.resolve("") is the working directory, so `--root "$UNSET"`
 * would serve (or `run`, `check`, `--data` read) whatever directory the command was started in.
 */
export function nonEmptyPath(argument: string, name: string): string {
  if (argument.trim() === "") throw new UsageError(`${name} must not be empty`);
  return argument;
}

/** `--data <dir>` (serve, audit, jobs), absolute; ./.tenantbox when it is not given. */
export function dataDirectory(value: string | undefined): string {
  return path.resolve(value === undefined ? ".tenantbox" : nonEmptyPath(value, "--data"));
}
