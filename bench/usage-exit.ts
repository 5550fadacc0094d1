// Imported first by the scripts that read results/ (calibration-docs.ts, kernel-docs.ts): a results file
// they refuse (a UsageError: a malformed cell, a missing column) ends the script as bad input ends daxbench,
// with one line naming the file, the line and the column, and exit 2, before anything is written. Anything
// else is a bug of the script: its stack, and exit 1.

import { basename } from "node:path";
import { UsageError } from "../host/errors.ts";
import { EXIT } from "../host/cli/command.ts";

process.on("uncaughtException", (error) => {
  if (error instanceof UsageError) {
    console.error(`${basename(process.argv[1])}: ${error.message}`);
    process.exit(EXIT.usage);
  }
  console.error(error);
  process.exit(EXIT.failed);
});
