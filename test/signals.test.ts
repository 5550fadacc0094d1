// Signals as a shell or a CI runner sends them. A command a signal ends exits 128 + the signal (130 for SIGINT, 143
// for SIGTERM), saving what a run finished and leaving nothing running; one whose parent is gone (`npx daxbench`,
// whose npm a CI step's timeout signalled) ends as on SIGTERM and releases its lock. Real processes, each waited for
// by an event (a line on stderr, a program seen running, the end of its output), never by a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { interruptible } from "../host/cli/interrupt.ts";
import { bin } from "./daxbench.ts";

const scratchDir = () => mkdtempSync(join(tmpdir(), "daxbench-signals-"));

test("interruptible: SIGINT ends the work with 130, SIGTERM with 143, its signal aborted", async () => {
  for (const [signal, status] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    // A signal handler does not keep Node's event loop alive; the work's own handles do (workers, programs):
    // here, this.
    const alive = setInterval(() => {}, 1 << 30);
    const run = await interruptible(
      (abort) =>
        new Promise((_, reject) => {
          abort.addEventListener("abort", () => reject(new Error("aborted")));
          process.kill(process.pid, signal); // caught by interruptible's handler, or this test's process ends
        }),
    ).finally(() => clearInterval(alive));
    assert.deepEqual(run, { interrupted: true, signal, status, cause: "" });
  }
});

interface Started {
  child: ChildProcess;
  /** daxbench's pid (through a shell, not the shell's). */
  pid: Promise<number>;
  /** Resolves once `text` has appeared on daxbench's stderr. */
  saw(text: string | RegExp): Promise<void>;
  /** Everything daxbench wrote to stderr, once every process that held its stderr (daxbench, the shell, what they
   *  started) has ended. */
  ended: Promise<{ status: number | null; stderr: string }>;
}

/** `daxbench ARGS`, its own process (`viaShell` false), or started by a shell that waits for it, as npx starts it:
 *  killing that shell leaves daxbench without the process that started it. */
function start(args: string[], env: Record<string, string>, viaShell: boolean): Started {
  const child = viaShell
    ? spawn("sh", ["-c", '"$0" "$@" & echo $!; wait', process.execPath, bin, ...args], {
        env: { ...process.env, ...env },
      })
    : spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
  let stderr = "";
  const waiting: { text: string | RegExp; resolve: () => void }[] = [];
  const seen = (text: string | RegExp) => (typeof text === "string" ? stderr.includes(text) : text.test(stderr));
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
    for (const w of waiting.filter((w) => seen(w.text))) w.resolve();
  });
  let stdout = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  const pid = viaShell
    ? new Promise<number>((resolve) =>
        child.stdout!.on("data", () => /^\d+\n/.test(stdout) && resolve(Number.parseInt(stdout, 10))),
      )
    : Promise.resolve(child.pid!);
  return {
    child,
    pid,
    saw: (text) => new Promise((resolve) => (seen(text) ? resolve() : waiting.push({ text, resolve }))),
    ended: once(child, "close").then(([status]) => ({ status: status as number | null, stderr })),
  };
}

/** Whether `pid` is a process that still runs (a zombie, ended but not yet reaped by init, does not). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] !== "Z";
  } catch {
    return false;
  }
}

/** A run that finishes the 1-worker configuration's 2 repetitions, then hangs in the 2-worker one (cpu 2). */
const HANGING_RUN = [
  "run",
  "--scenario",
  "populate",
  "--protection",
  "rcu",
  "--align",
  "2m",
  "--workers",
  "1,2",
  "--size",
  "8m",
  "--min-time",
  "0",
  "--repeat",
  "2",
  "--warmup",
  "0",
  "--order",
  "sequential",
  "--timeout",
  "30s",
  "--quiet",
];

for (const [how, stop] of [
  ["SIGTERM", "SIGTERM"],
  ["the end of the process that started it", "parent"],
] as const) {
  test(
    `run ended by ${how}: the finished repetitions saved and said so, ` +
      `no lock left${stop === "SIGTERM" ? ", exit 143" : ""}`,
    async () => {
      const dir = scratchDir();
      const out = join(dir, "run.csv");
      const daxbench = start([...HANGING_RUN, "--out", out], { DAXBENCH_INJECT: "hang:2" }, stop === "parent");
      await daxbench.saw("cpu 2: hanging");
      const pid = await daxbench.pid;
      assert.ok(existsSync(`${out}.lock`), "the run holds its lock while it runs");
      // the shell, killed outright: it cannot pass anything on
      daxbench.child.kill(stop === "parent" ? "SIGKILL" : "SIGTERM");
      const { status, stderr } = await daxbench.ended;
      if (stop === "SIGTERM") assert.equal(status, 143, stderr);
      const cause = stop === "parent" ? ` \\(the process that started it, pid \\d+, is gone\\)` : "";
      assert.match(
        stderr,
        new RegExp(`daxbench: interrupted${cause}; the repetitions that finished \\(2 rows\\) are in .*run\\.csv`),
      );
      assert.equal(running(pid), false, "daxbench and its workers have ended");
      assert.deepEqual(readdirSync(dir), ["run.csv"], "no lock left");
      assert.deepEqual(
        (parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[]).map((r) => r.workers),
        ["1", "1"],
      );
    },
  );
}

test("torture ended by SIGTERM: exit 143, nothing written", async () => {
  const dir = scratchDir();
  const daxbench = start(
    ["torture", "--protection", "rcu", "--seconds", "120", "--out", join(dir, "t.csv")],
    { DAXBENCH_INJECT: "hang:1" },
    false,
  );
  await daxbench.saw("cpu 1: hanging");
  daxbench.child.kill("SIGTERM");
  const { status, stderr } = await daxbench.ended;
  assert.equal(status, 143, stderr);
  assert.match(stderr, /daxbench: interrupted; nothing written/);
  assert.deepEqual(readdirSync(dir), []);
});

test("native whose parent is gone ends its C program too", async (t) => {
  if (!spawnSync("sh", ["-c", "command -v cc"]).stdout.length) return t.skip("no C compiler here");
  // A duration no other test uses, so that the program found is this test's.
  const program = () => spawnSync("pgrep", ["-f", "readside-plain load 1 2998"], { encoding: "utf8" }).stdout.trim();
  const daxbench = start(["native", "--duration", "2998ms", "--workers", "1", "--repeat", "1"], {}, true);
  const pid = await daxbench.pid;
  // The C program runs first in each cell, after every program is compiled: wait for it, or for daxbench's end.
  let ended = false;
  void daxbench.ended.then(() => (ended = true));
  while (!program() && !ended) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(program(), "the C program started");
  daxbench.child.kill("SIGKILL");
  const { stderr } = await daxbench.ended;
  assert.match(stderr, /daxbench: interrupted \(the process that started it, pid \d+, is gone\); nothing written/);
  assert.equal(running(pid), false, "daxbench has ended");
  assert.equal(program(), "", "no C program left behind");
});

test(
  "a lock goes with its process however it exits: " +
    "a fatal error ends daxbench through process.exit, past every finally",
  () => {
    const dir = scratchDir();
    const out = join(dir, "run.csv");
    const files = new URL("../host/output-files.ts", import.meta.url).href;
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { lockOutput } from ${JSON.stringify(files)}; ` +
          `lockOutput("--out", ${JSON.stringify(out)}); process.exit(1);`,
      ],
      { encoding: "utf8" },
    );
    assert.equal(child.status, 1, child.stderr);
    assert.deepEqual(readdirSync(dir), []);
  },
);
