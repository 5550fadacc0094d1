// A lock held by a process: a file that holds its pid, made by linking a file of the process's own to its name
// (which fails when the name exists). A lock whose process is gone (killed,
// or ended by a fatal error past every finally) is taken over, so no lock outlives its run for long.

import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** The lock taken (with its release), or the pid of the live process that holds it. */
export type LockAttempt = { release: () => void; holder?: undefined } | { release?: undefined; holder: number };

/** Takes `lock` for this process, or says who holds it. The release is also run as the process exits. The lock
 *  appears with the pid already in it (a file of this process's own, linked to the lock's name), so a reader
 *  never sees it empty; a lock released between two looks is looked at again. Left open: two processes that
 *  find the same dead holder at once may each remove what the other has just taken (a window of microseconds). */
export function tryLock(lock: string): LockAttempt {
  const mine = `${lock}.${process.pid}.tmp`;
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, lock);
        const release = () => {
          process.off("exit", release);
          rmSync(lock, { force: true });
        };
        process.once("exit", release);
        return { release };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let holder: number;
      try {
        holder = Number(readFileSync(lock, "utf8"));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
        throw error;
      }
      if (processAlive(holder)) return { holder };
      rmSync(lock, { force: true }); // its process is gone: taken over on the next attempt
    }
    throw new Error(`cannot take ${lock}`);
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Takes `lock`, waiting while another live process holds it: `waiting` is told the holder once, and after
 *  `limitMs` the wait ends with an error naming it. */
export async function waitForLock(
  lock: string,
  limitMs: number,
  waiting: (holder: number) => void,
): Promise<() => void> {
  const deadline = Date.now() + limitMs;
  let told = false;
  for (;;) {
    const attempt = tryLock(lock);
    if (attempt.release) return attempt.release;
    if (Date.now() >= deadline)
      throw new Error(`${lock} is still held by pid ${attempt.holder} after ${limitMs / 1000}s`);
    if (!told) waiting(attempt.holder);
    told = true;
    await sleep(100);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
