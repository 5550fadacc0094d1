// The host's monotonic clock (process.hrtime.bigint(): CLOCK_MONOTONIC), in ns: the one time source of the
// core, read only where a wait must be timed as it happens (teardown's grace period, the calibration's
// wake-ups), never on a hot path.

// @ts-ignore: decorator
@external("env", "clock_ns") export declare function clock_ns(): u64;

/** Busy-waits until the clock reaches `deadline`: for waits that must last what was asked, which a sleep's late
 *  wake-up would not (a grace period's cost, torture's short read-side delay). */
export function spin_until(deadline: u64): void {
  while (clock_ns() < deadline) {
    // nothing: the clock is the wait
  }
}
