/**
 * Security levels choose the static rule set and default limits. The table is documented in the README;
 * rules themselves live in src/loader/rules.ts and name the lowest level at which they are errors.
 */
export const SECURITY_LEVELS = ["STRICT", "SECURE", "STANDARD", "PERMISSIVE"] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

export interface LevelDefaults {
  /** Loop iterations per invocation; undefined means no guard is inserted. */
  maxIterations?: number;
  /** Largest module source accepted, in bytes. */
  maxModuleBytes: number;
  /** Deepest bracket nesting accepted by the pre-scan. */
  maxNestingDepth: number;
}

export const LEVEL_DEFAULTS: Record<SecurityLevel, LevelDefaults> = {
  STRICT: { maxIterations: 100_000, maxModuleBytes: 256 * 1024, maxNestingDepth: 64 },
  SECURE: { maxIterations: 1_000_000, maxModuleBytes: 1024 * 1024, maxNestingDepth: 128 },
  STANDARD: { maxModuleBytes: 2 * 1024 * 1024, maxNestingDepth: 256 },
  PERMISSIVE: { maxModuleBytes: 4 * 1024 * 1024, maxNestingDepth: 512 },
};

/** Severity order: a rule that is an error at SECURE is also an error at STRICT. */
export function levelRank(level: SecurityLevel): number {
  return SECURITY_LEVELS.length - 1 - SECURITY_LEVELS.indexOf(level);
}

export function isSecurityLevel(value: unknown): value is SecurityLevel {
  return typeof value === "string" && (SECURITY_LEVELS as readonly string[]).includes(value);
}
