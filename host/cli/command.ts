// One subcommand of daxbench: its yargs declaration (what it takes, as typed) and what it does. main.ts
// registers every command in commands/; the handler returns the exit status.

import type { Argv } from "yargs";
import type { Io } from "./io.ts";

export interface Command<Args> {
  /** yargs' command string: the name and its positionals, "compare <files..>". */
  usage: string;
  describe: string;
  options(y: Argv): Argv;
  run(args: Args, io: Io): Promise<number> | number;
}

/** The status of a command: 0 done, 1 a check failed or a worker failed or hung, 2 bad input. One a signal
 *  ended is 128 + the signal's number, from interrupt.ts (130 for Ctrl-C, 143 for SIGTERM). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
