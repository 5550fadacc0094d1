// Sizes and durations as people type them: 4k, 2m, 64m, 1g; 500ms, 2s.

export const KiB = 1n << 10n;
export const MiB = 1n << 20n;
export const GiB = 1n << 30n;
const SIZE_UNITS: Record<string, bigint> = { "": 1n, k: KiB, m: MiB, g: GiB, t: 1n << 40n };

/** Parses "4k", "2m", "64M", "1g" or plain bytes; null when it is not a size. */
export function parseSize(text: string): bigint | null {
  const match = /^(\d+)([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!match) return null;
  return BigInt(match[1]) * SIZE_UNITS[match[2].toLowerCase()];
}

/** The shortest exact form: 4096n -> "4k", 3n << 30n -> "3g", 1000n -> "1000". */
export function formatSize(bytes: bigint): string {
  for (const unit of ["t", "g", "m", "k"]) {
    const scale = SIZE_UNITS[unit];
    if (bytes >= scale && bytes % scale === 0n) return `${bytes / scale}${unit}`;
  }
  return `${bytes}`;
}

export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses "500ms", "2s", "100us", "1m", "1h" into nanoseconds (a bare number is in `bareUnit`); null when it is not
 *  one. */
export function parseDuration(text: string, bareUnit: "s" | "ns" = "s"): number | null {
  const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? bareUnit]);
}

/** 1500000 -> "1.5ms", 2000000000 -> "2s". */
export function formatDuration(ns: number): string {
  for (const unit of ["s", "ms", "us"]) {
    if (ns >= DURATION_UNITS[unit]) return `${+(ns / DURATION_UNITS[unit]).toPrecision(3)}${unit}`;
  }
  return `${ns}ns`;
}

/** The longest wait a Node timer holds (setTimeout takes a signed 32-bit count of milliseconds). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_NS = MAX_TIMER_MS * 1e6;

/** A figure as the side result files (native, kernel, micro) keep it: six significant digits, enough for the
 *  empty batch's few thousandths of a nanosecond; what each file's statistics are then computed from. */
export function sixSignificantDigits(x: number): number {
  return Number(x.toPrecision(6));
}
