// How a long-running command (run, torture, native, kernel) is stopped from outside. Ctrl-C (SIGINT) and SIGTERM
// abort a signal that everything the command started listens to (worker pools, C programs), so that nothing
// outlives it, and the command exits 128 + the signal's number, as shells and CI runners read a process a signal
// ended: 130 for SIGINT, 143 for SIGTERM.
//
// The end of the process that started daxbench counts as SIGTERM. A CI step's timeout signals the process it
// started, and for `npx daxbench ...` that is npm, not daxbench: npm ends and daxbench, orphaned, would run on to
// its end with its lock and its workers. So a long-running command looks every PARENT_POLL_MS whether its parent
// is still the process that started it (an orphan is handed to init or to a subreaper), and ends as on SIGTERM
// when it is not. Linux's prctl(PR_SET_PDEATHSIG) would say so at once, but Node cannot call it without an addon;
// reading getppid() four times a second costs nothing a run can see.

import { constants } from "node:os";

/** The signals a long-running command ends on cleanly. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** How often a long-running command looks whether the process that started it is still there. */
export const PARENT_POLL_MS = 250;

/** The status of a command a signal ended: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
export function signalStatus(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export interface Interruption {
  interrupted: true;
  signal: StopSignal;
  /** What the command exits with: signalStatus(signal). */
  status: number;
  /** Why, to put after "interrupted": "" for a signal; " (the process that started it, pid N, is gone)" when the
   *  parent ended. */
  cause: string;
}

export type Interruptible<T> = { interrupted: false; value: T } | Interruption;

/** Runs `work` with a signal that SIGINT, SIGTERM or the end of this process's parent aborts. `work` rejecting
 *  after that is an interruption; any other rejection is passed on. A second Ctrl-C, while `work` winds down,
 *  ends the process at once (the handlers are installed once). */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<Interruptible<T>> {
  const abort = new AbortController();
  let stop: Interruption | undefined;
  const end = (signal: StopSignal, cause: string) => {
    stop ??= { interrupted: true, signal, status: signalStatus(signal), cause };
    abort.abort();
  };
  const onSignal = (signal: StopSignal) => end(signal, "");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const parent = process.ppid;
  const watch =
    parent > 1
      ? setInterval(
          () => parentGone(parent) && end("SIGTERM", ` (the process that started it, pid ${parent}, is gone)`),
          PARENT_POLL_MS,
        ).unref()
      : undefined;
  try {
    return { interrupted: false, value: await work(abort.signal) };
  } catch (error) {
    if (stop) return stop;
    throw error;
  } finally {
    clearInterval(watch);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** For a command that runs synchronously between its steps (micro), where no handler could run: call the
 *  returned check between steps; once the process that started this one is gone, it ends the process by SIGTERM's
 *  default action, as if the signal meant for it had reached it. */
export function parentWatch(): () => void {
  const parent = process.ppid;
  return () => {
    if (parentGone(parent)) process.kill(process.pid, "SIGTERM");
  };
}

/** Whether the process that started this one (`parent`, read at the start) has ended: this process was handed to
 *  init or a subreaper. A process whose parent was init already (started by a daemon, or orphaned before it got
 *  here) has none to lose. */
function parentGone(parent: number): boolean {
  return parent > 1 && process.ppid !== parent;
}
