import type MagicString from "magic-string";
import { decodedLines } from "./decoded-lines.js";

/**
 * Where the transform moved the tenant's text: the guards it inserts shift columns (a 37-character line
 * reported an error at column 78), and a few ESM rewrites join lines. For every line of the transformed
 * body that is not the tenant's line unchanged: [generatedColumn, tenantLine, tenantColumn, ...], from the
 * start of each untouched run of tenant text (generated and tenant columns 0-based, tenant lines 1-based).
 * Lines not listed are the tenant's own, same number, same columns.
 *
 * The map travels as the wrapper's last line (a comment), so it goes wherever the source goes, once per
 * version, and the version's hash covers it; the worker reads it back only when a stack is formatted.
 */
export type PositionMap = Record<number, number[]>;

const MARKER = "\n//# tenantbox-positions ";

export function positionMapOf(s: MagicString, lineShift: number, firstLineColumnShift: number): PositionMap {
  const map: PositionMap = {};
  const lines = decodedLines(s);
  for (let generated = 0; generated < lines.length; generated++) {
    const flat: number[] = [];
    let identical = true;
    for (const segment of lines[generated]!) {
      if (segment.length < 4) continue;
      const line = segment[2]! - lineShift + 1;
      const column = line === 1 ? Math.max(0, segment[3]! - firstLineColumnShift) : segment[3]!;
      if (segment[0] !== column || line !== generated + 1) identical = false;
      flat.push(segment[0], line, column);
    }
    if (flat.length > 3) identical = false;
    if (!identical) map[generated] = flat;
  }
  return map;
}

/** The wrapper with its map appended (nothing when every line is the tenant's own). */
export function withPositionMap(wrapper: string, map: PositionMap): string {
  for (const _ in map) return wrapper + MARKER + JSON.stringify(map);
  return wrapper;
}

/** The map a wrapper carries, as text (parsed only when a position is asked); undefined when it has none. */
export function positionMapText(source: string): string | undefined {
  const at = source.lastIndexOf(MARKER);
  // Ours only as the very last line: tenant text sits before the wrapper's closing "})".
  if (at === -1 || source.indexOf("\n", at + 1) !== -1) return undefined;
  return source.slice(at + MARKER.length);
}

/**
 * The tenant's line and column (1-based) of a position V8 reports in a wrapper (1-based; the body's first
 * line is line 1, the header line 0). Text the transform inserted maps to the tenant text it precedes.
 */
export function tenantPosition(map: PositionMap, line: number, column: number): { line: number; column: number } {
  const flat = map[line - 1];
  if (!flat || flat.length < 3) return { line, column };
  const wanted = column - 1;
  let at = 0;
  for (let i = 3; i < flat.length && flat[i]! <= wanted; i += 3) at = i;
  const [generatedStart, tenantLine, tenantStart] = [flat[at]!, flat[at + 1]!, flat[at + 2]!];
  let tenantColumn = tenantStart + Math.max(0, wanted - generatedStart);
  // Past the end of that run of tenant text (inside inserted text): where the next run begins on that line.
  const next = at + 3 < flat.length && flat[at + 4] === tenantLine ? flat[at + 5]! : Infinity;
  if (tenantColumn > next) tenantColumn = next;
  return { line: tenantLine, column: tenantColumn + 1 };
}
