#!/usr/bin/env node
// The daxbench command. Node 20 cannot run TypeScript by itself, so tsx's loader is registered first.
import { register } from "tsx/esm/api";

// Whatever escapes the command (a loader or a worker that cannot get memory, say) ends it with one line and
// exit 1, never a stack trace; DAXBENCH_DEBUG=1 shows the stack.
const fatal = (error) => {
  if (process.env.DAXBENCH_DEBUG === "1") console.error(error);
  console.error(`daxbench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
};
process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

// A reader that stops reading (`daxbench list | head`) is not an error worth a stack trace.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});
// Nor is a stderr nobody reads any more (the process that started daxbench is gone, and the pipe with it): the
// command still ends as it would, releasing its lock and its workers; it only says nothing.
process.stderr.on("error", (error) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
});

register();
const { main } = await import("../host/cli/main.ts");
const { processIo } = await import("../host/cli/io.ts");
process.exitCode = await main(process.argv.slice(2), processIo);
