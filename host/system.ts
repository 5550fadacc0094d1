// What the operating system says about how a run was treated, read where it runs (pyperf's system checks are
// the model): the time a thread waited for a CPU, and the time the hypervisor took from this machine. Linux
// reports both in /proc; elsewhere each reads as undefined, and the figures built on them are left empty.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The calling thread's times from /proc/thread-self/schedstat, in ns: on a CPU (its first field, the time it
 *  ran) and ready to run but waiting on a run queue (its second, run_delay). A thread reading them while running
 *  reads every wait it has had (run_delay is brought up to date whenever the thread is put on a CPU); its time
 *  on a CPU lags by at most the part of its current slice since the last scheduler tick. Whatever of a stretch
 *  of wall time is neither is time the thread was asleep or blocked. */
export function threadSchedStat(): { onCpuNs: number; runQueueWaitNs: number } | undefined {
  try {
    const [onCpuNs, runQueueWaitNs] = readFileSync("/proc/thread-self/schedstat", "utf8").split(" ").map(Number);
    return Number.isFinite(onCpuNs) && Number.isFinite(runQueueWaitNs) ? { onCpuNs, runQueueWaitNs } : undefined;
  } catch {
    return undefined;
  }
}

/** The calling thread's total time spent ready to run but waiting on a run queue, in ns (run_delay). */
export function runQueueWaitNs(): number | undefined {
  return threadSchedStat()?.runQueueWaitNs;
}

/** USER_HZ, the unit of /proc/stat's times: 100 on every Linux architecture's ABI. */
const USER_HZ = 100;

/** The time the hypervisor ran something else while this machine's CPUs wanted to run (steal), summed over
 *  the CPUs since boot, in ns: the eighth figure of /proc/stat's "cpu" line, in USER_HZ ticks (so it moves in
 *  steps of 10 ms). */
export function cpuStealNs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== "cpu" || fields.length < 9) return undefined;
    const ticks = Number(fields[8]);
    return Number.isFinite(ticks) ? (ticks * 1e9) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/** The selected value of a sysfs choice file ("always [madvise] never" -> "madvise"), or the file's text when
 *  it has no brackets (a governor's name); "" where it cannot be read. */
export function sysfsChoice(path: string): string {
  try {
    const text = readFileSync(path, "utf8").trim();
    return /\[([^\]]+)\]/.exec(text)?.[1] ?? text;
  } catch {
    return "";
  }
}

/** Where the shell finds `command` on PATH, or undefined where it finds none. */
export function commandPath(command: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
