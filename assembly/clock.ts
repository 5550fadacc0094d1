// The host's monotonic clock (process.hrtime.bigint(): CLOCK_MONOTONIC), in ns: the one time source of the
// core, read only where a wait must be timed as it happens (teardown's grace period, the calibration's
// wake-ups), never on a hot path.

// @ts-ignore: decorator
@external("env", "clock_ns") export declare function clock_ns(): u64;
