// Runs the daxbench command line in this process, as bin/daxbench.js would, capturing what it prints: no
// child process, so a CLI test costs what its work costs. Tests of signals, of the bin's own handlers and of
// exit codes the process itself sets spawn bin/daxbench.js instead (bin, below).
import { main } from "../host/cli/main.ts";
import type { Io } from "../host/cli/io.ts";

export const bin = new URL("../bin/daxbench.js", import.meta.url).pathname;

export interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** `daxbench ARGS...` with `env` added to the environment for the run (workers inherit it). */
export async function daxbenchWith(env: Record<string, string | undefined>, ...args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
  try {
    const status = await main(args, io);
    return { status, stdout, stderr };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export function daxbench(...args: string[]): Promise<Outcome> {
  return daxbenchWith({}, ...args);
}
