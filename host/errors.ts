/** Bad input from the user (a flag, a value, a file): the message names it and what is accepted. The CLI
 *  prints it on one line and exits 2, before anything is started or written. */
export class UsageError extends Error {
  override name = "UsageError";
}
