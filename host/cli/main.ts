// The daxbench command line: argv in, an exit status out. It only parses (yargs); options.ts validates what
// was typed into typed options, and each command in commands/ does its work through the stages below.
// Exit status: 0 done, 1 a check or a worker failed (or hung), 2 bad input (nothing started, nothing
// written), 128 + the signal when a signal ended it (130 Ctrl-C, 143 SIGTERM; see interrupt.ts). Everything it
// prints goes through `io`, so tests run it in process.

import yargs, { type MiddlewareFunction } from "yargs";
import { UsageError } from "../errors.ts";
import { daxbenchVersion } from "../results/metadata.ts";
import { runCommand } from "./commands/run.ts";
import { tortureCommand } from "./commands/torture.ts";
import { compareCommand } from "./commands/compare.ts";
import { reportCommand } from "./commands/report.ts";
import { mergeCommand } from "./commands/merge.ts";
import { historyCommand } from "./commands/history.ts";
import { kernelCommand } from "./commands/kernel.ts";
import { microCommand } from "./commands/micro.ts";
import { nativeCommand } from "./commands/native.ts";
import { guestCommand } from "./commands/guest.ts";
import { listCommand } from "./commands/list.ts";
import { EXIT, type Command } from "./command.ts";
import { println, type Io } from "./io.ts";

/** Every command, as main registers them (the workflow test parses the CI workflow's command lines with them). */
export const COMMANDS: Command<never>[] = [
  runCommand,
  tortureCommand,
  compareCommand,
  reportCommand,
  mergeCommand,
  historyCommand,
  kernelCommand,
  microCommand,
  nativeCommand,
  guestCommand,
  listCommand,
] as Command<never>[];

/** A flag given twice takes its last value (`--duration 60ms --duration 50ms` is 50ms); flags that take lists
 *  gather every value (`--workers 1 --workers 2` is both, as `--workers 1,2` is). */
function lastValueWins(argv: Record<string, unknown>, parser: unknown): void {
  // yargs passes its parser, whose getOptions() the published types leave out: the options of this command.
  const lists = new Set((parser as { getOptions(): { array: string[] } }).getOptions().array);
  for (const [key, value] of Object.entries(argv)) {
    if (key !== "_" && Array.isArray(value) && !lists.has(key)) argv[key] = value.at(-1);
  }
}

/** Runs one daxbench command line; never exits the process. Bad input is one line and status 2; anything
 *  else that escapes a command is one line and status 1 (the stack only with DAXBENCH_DEBUG=1). */
export async function main(argv: string[], io: Io): Promise<number> {
  let status: number = EXIT.ok;
  const names = COMMANDS.map((command) => command.usage.split(" ")[0]);
  let parser = yargs()
    .scriptName("daxbench")
    .middleware(lastValueWins as unknown as MiddlewareFunction, true)
    .version(daxbenchVersion())
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  for (const command of COMMANDS) {
    parser = parser.command(command.usage, command.describe, command.options, async (args) => {
      status = await command.run(args as never, io);
    });
  }
  try {
    await parser
      .demandCommand(1, `name a command: ${names.slice(0, -1).join(", ")} or ${names.at(-1)}`)
      .wrap(Math.min(120, (io.stdout as { columns?: number }).columns ?? 100))
      // With a callback, yargs hands over --help and --version text instead of printing it.
      .parseAsync(argv, {}, (_error, _argv, output) => {
        if (output) println(io.stdout, output);
      });
    return status;
  } catch (error) {
    if (process.env.DAXBENCH_DEBUG === "1")
      println(io.stderr, error instanceof Error ? String(error.stack) : String(error));
    println(io.stderr, `daxbench: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
