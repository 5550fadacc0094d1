// Ctrl-C (SIGINT) and SIGTERM end a command cleanly: they abort a signal that everything the command started
// listens to (worker pools, C programs), so that nothing outlives it, and the command exits 130.

export type Interruptible<T> = { interrupted: false; value: T } | { interrupted: true };

export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<Interruptible<T>> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return { interrupted: false, value: await work(abort.signal) };
  } catch (error) {
    if (abort.signal.aborted) return { interrupted: true };
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
