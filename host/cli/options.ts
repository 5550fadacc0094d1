// Turns what was typed into validated values, before any work: every refusal is a UsageError that quotes
// the value as typed and says what is accepted, and every bound is one the run can honour.

import { UsageError } from "../errors.ts";

/** The longest wait a Node timer holds (setTimeout takes a signed 32-bit count of milliseconds). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_NS = MAX_TIMER_MS * 1e6;

/** "5" -> 5; "abc", "1.5", "-1" or a value out of [least, most] is refused, quoting the text. */
export function wholeNumberOption(option: string, text: string | undefined, fallback: number, least: number, most = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < least || value > most) {
    throw new UsageError(`--${option} ${text} is not a whole number from ${least} to ${most.toLocaleString("en-US")}`);
  }
  return value;
}

/** A significance level: strictly between 0 and 1. */
export function alphaOption(text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !(value > 0 && value < 1)) throw new UsageError(`--alpha ${text} is not a number between 0 and 1 (exclusive), e.g. 0.05`);
  return value;
}

/** A seed: a whole number that a result row can hold exactly (below 2^53). */
export function seedOption(text: string | undefined, fallback: bigint): bigint {
  return text === undefined ? fallback : BigInt(wholeNumberOption("seed", text, 0, 0, Number.MAX_SAFE_INTEGER));
}

/** A positive number of seconds that a timer can hold. */
export function secondsOption(option: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !(value > 0) || value * 1000 > MAX_TIMER_MS) {
    throw new UsageError(`--${option} ${text} is not a positive number of seconds up to ${Math.floor(MAX_TIMER_MS / 1000).toLocaleString("en-US")} (what a timer holds)`);
  }
  return value;
}
