import { z } from 'zod';

const unitsInMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `1500ms`, `30s`, `5m`, `1.5h`, `7d` or a bare number of milliseconds; undefined when it is none of these. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (unitsInMs[match[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

/** A duration in a configuration file: milliseconds, or a text `parseDurationMs` reads (`15m`, `7d`). */
export const DurationMsSchema = z
  .union([z.number().int().positive(), z.string()])
  .transform((value, context) => {
    const ms = typeof value === 'number' ? value : parseDurationMs(value);
    if (ms === undefined || ms <= 0) {
      context.addIssue({
        code: 'custom',
        message: `"${value}" is no duration: write e.g. 30s, 15m, 2h or 7d`,
      });
      return z.NEVER;
    }
    return ms;
  });
