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

register();
await import("../host/cli/main.ts");
