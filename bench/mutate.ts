// The mutation check (npm run mutate): does the suite fail when the model, or what the host makes of it, is
// wrong?
//
// Each entry of bench/mutations.json is one small, realistic change to the wasm core (assembly/: a removed
// check, a swapped order, `<` for `<=`, a plain store for a compare-and-swap, a wrong slot, a skipped wait) or
// to the host (host/: the statistics and the verdict rule, the accounting of a CSV figure, the merge and
// history guards, which loop a scheme or scenario runs). Each is applied, one at a time, to a scratch copy of
// the project (the core rebuilt for an assembly/ entry) and judged, cheapest judge first, until one fails: the
// entry's own tests, then for the core the as-pect specs, the fast node tests and the entry's tortures, then
// the whole node suite. A mutant a judge fails is killed; one every judge passes survived: the suite would
// not notice that bug. Entries that cannot change behaviour are marked equivalent in the catalogue, with the
// reason, and are neither run nor counted.
//
// Not part of npm test (a full run takes many minutes): a maintainer runs it before a release. A full run
// writes results/mutation.md, saying at which commit it was made.
//
//   npm run mutate                       every entry; writes results/mutation.md
//   npm run mutate -- --list             the catalogue (or the entries chosen below), nothing run
//   npm run mutate -- --only ID,ID       those entries (writes nothing unless --out)
//   npm run mutate -- --file F,F         the entries that change those files (a folder: every file under it)
//   npm run mutate -- --area A,A         the entries of those areas (--only, --file and --area together: all
//                                        must match)
//   options: --jobs N (scratch copies run side by side; default 1), --torture-seconds S (default 5),
//            --out FILE, --keep (leave the scratch copies), --no-baseline (skip the unmutated run: for
//            iterating on the catalogue only; judges then get fixed timeouts)

import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { fileURLToPath } from "node:url";
import { copyProject, mutatedText, projectFiles as listProjectFiles } from "./planted.ts";
import { secondsOption, wholeNumberOption } from "../host/cli/options.ts";
import { UsageError } from "../host/errors.ts";
import { writeFileAtomic } from "../host/output-files.ts";
import { checkoutCommit } from "../host/results/metadata.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** Set in the environment of every judge: the suite is running inside the mutation check. */
export const MUTATION_CHECK = "DAXBENCH_MUTATION_CHECK";
const CATALOGUE = join(root, "bench/mutations.json");

/** One entry of the catalogue. */
export interface Mutation {
  id: string;
  area: string;
  /** A file of the core (assembly/, not its specs) or of the host (host/). */
  file: string;
  /** Text that must occur exactly once in the file. */
  find: string;
  replace: string;
  /** Further edits of the same file, made with the first: a slip that adds a call needs its import too. Each
   *  search text, like the first, must occur exactly once in the unmutated file. */
  also?: { find: string; replace: string }[];
  description: string;
  /** Why this change cannot alter behaviour on this machine: listed, not run, not counted. */
  equivalent?: string;
  /** Tortures to run after the tests: a scheme, which must end SUCCESS, or "scheme:FAILURE" for a scheme broken
   *  on purpose, which must still be caught. */
  tortures?: string[];
  /** Options of `daxbench torture` for this entry's tortures, for a slip that the defaults do not expose
   *  reliably (a window that only back-to-back kills open often enough, say). The unmutated core must pass
   *  them too: the baseline runs every distinct torture. */
  tortureOptions?: string[];
  /** Node test files (test/*.test.ts) that are meant to kill this mutant: the first judge, being the cheapest. */
  tests?: string[];
  /** For a change that only a real race between workers can show: how many times the fast node tests and the
   *  tortures run before the mutant is said to have survived them (default 1). A busy machine may not schedule
   *  two workers side by side in one run. */
  attempts?: number;
}

type Verdict = "killed" | "survived" | "equivalent" | "build broken";

interface Outcome {
  mutation: Mutation;
  verdict: Verdict;
  /** The judge that failed the mutant (killed), or the build's error. */
  judge?: string;
  /** What the judge reported: the first failing test, the torture's verdict, or "timeout". */
  detail?: string;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------------------
// Options

interface Options {
  list: boolean;
  only?: string[];
  files?: string[];
  areas?: string[];
  jobs: number;
  tortureSeconds: number;
  out?: string;
  keep: boolean;
  baseline: boolean;
}

function usage(message: string): never {
  console.error(`mutate: ${message}`);
  console.error(
    "usage: npm run mutate -- [--list] [--only ID,ID] [--file F,F] [--area A,A] [--jobs N] [--torture-seconds S] " +
      "[--out FILE] [--keep] [--no-baseline]",
  );
  process.exit(2);
}

/** The options as typed, parsed by node:util's parseArgs; the two numbers checked by the CLI's own helpers. */
function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        list: { type: "boolean" },
        only: { type: "string" },
        file: { type: "string" },
        area: { type: "string" },
        jobs: { type: "string" },
        "torture-seconds": { type: "string" },
        out: { type: "string" },
        keep: { type: "boolean" },
        "no-baseline": { type: "boolean" },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const list = (text: string | undefined) =>
    text
      ?.split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  try {
    return {
      list: values.list ?? false,
      only: list(values.only),
      files: list(values.file)?.map((file) => file.replace(/\/$/, "")),
      areas: list(values.area),
      jobs: wholeNumberOption("jobs", values.jobs, 1, 1, 16),
      tortureSeconds:
        values["torture-seconds"] === undefined ? 5 : secondsOption("torture-seconds", values["torture-seconds"]),
      out: values.out,
      keep: values.keep ?? false,
      baseline: !values["no-baseline"],
    };
  } catch (error) {
    if (error instanceof UsageError) usage(error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The catalogue: refused whole if any entry has rotted, so that it cannot silently test less than it says.

function occurrences(text: string, find: string): number {
  let count = 0;
  for (let at = text.indexOf(find); at >= 0; at = text.indexOf(find, at + 1)) count++;
  return count;
}

/** What is wrong with the catalogue's entries, one line each: none for a catalogue that tests what it says
 *  (test/bench.test.ts holds the committed one to that, so that a change of the code it searches is caught by
 *  npm test, not at the next mutation run). */
export function catalogueProblems(entries: Mutation[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const [i, m] of entries.entries()) {
    const where = `entry ${i} (${m.id ?? "no id"})`;
    for (const field of ["id", "area", "file", "find", "replace", "description"] as const) {
      if (typeof m[field] !== "string") problems.push(`${where}: ${field} is not a string`);
    }
    if (typeof m.id !== "string" || typeof m.file !== "string" || typeof m.find !== "string") continue;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(m.id)) problems.push(`${where}: id must be lower-case words joined by -`);
    if (ids.has(m.id)) problems.push(`${where}: id used twice`);
    ids.add(m.id);
    if (!/^(assembly|host)\//.test(m.file) || m.file.includes("..") || m.file.includes("__tests__")) {
      problems.push(`${where}: file ${m.file} is not a file of the core (assembly/) or of the host (host/)`);
      continue;
    }
    const path = join(root, m.file);
    if (!existsSync(path)) {
      problems.push(`${where}: ${m.file} does not exist`);
      continue;
    }
    const text = readFileSync(path, "utf8");
    const n = occurrences(text, m.find);
    if (n !== 1)
      problems.push(
        `${where}: its search text occurs ${n} times in ${m.file}, not once: ${JSON.stringify(m.find.slice(0, 80))}`,
      );
    if (m.find === m.replace) problems.push(`${where}: the replacement changes nothing`);
    if (m.also !== undefined && !Array.isArray(m.also))
      problems.push(`${where}: also must be a list of { find, replace }`);
    for (const [j, edit] of (Array.isArray(m.also) ? m.also : []).entries()) {
      if (typeof edit?.find !== "string" || typeof edit?.replace !== "string") {
        problems.push(`${where}: also[${j}] needs find and replace strings`);
        continue;
      }
      const k = occurrences(text, edit.find);
      if (k !== 1)
        problems.push(
          `${where}: also[${j}]'s search text occurs ${k} times in ${m.file}, ` +
            `not once: ${JSON.stringify(edit.find.slice(0, 80))}`,
        );
      if (edit.find === edit.replace) problems.push(`${where}: also[${j}] changes nothing`);
    }
    if (m.equivalent !== undefined && (typeof m.equivalent !== "string" || m.equivalent.length < 10)) {
      problems.push(`${where}: equivalent must give the reason`);
    }
    if (m.attempts !== undefined && !(Number.isInteger(m.attempts) && m.attempts >= 1 && m.attempts <= 10)) {
      problems.push(`${where}: attempts must be a whole number from 1 to 10`);
    }
    if (m.tortureOptions !== undefined) {
      if (
        !Array.isArray(m.tortureOptions) ||
        !m.tortureOptions.every((o) => typeof o === "string" && /^(--[a-z][a-z-]*|[\w.]+)$/.test(o))
      ) {
        problems.push(`${where}: tortureOptions must be a list of options and values (["--kill-period", "0"])`);
      } else if (!m.tortures?.length) problems.push(`${where}: tortureOptions without tortures`);
    }
    for (const t of m.tortures ?? []) {
      if (!/^[a-z][a-z0-9-]*(:FAILURE)?$/.test(t))
        problems.push(`${where}: torture ${JSON.stringify(t)} is not a scheme or scheme:FAILURE`);
    }
    if (m.tests !== undefined && !Array.isArray(m.tests)) problems.push(`${where}: tests must be a list of test files`);
    for (const t of Array.isArray(m.tests) ? m.tests : []) {
      if (typeof t !== "string" || !/^test\/[a-z0-9-]+\.test\.ts$/.test(t) || !existsSync(join(root, t))) {
        problems.push(`${where}: test ${JSON.stringify(t)} is not a file test/*.test.ts of the project`);
      }
    }
  }
  return problems;
}

export function readCatalogue(): Mutation[] {
  return JSON.parse(readFileSync(CATALOGUE, "utf8")) as Mutation[];
}

function loadCatalogue(): Mutation[] {
  const entries = readCatalogue();
  const problems = catalogueProblems(entries);
  if (problems.length > 0) {
    console.error(`mutate: ${CATALOGUE} has ${problems.length} bad entr${problems.length === 1 ? "y" : "ies"}:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(2);
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------------------
// Processes: every judge runs in its own process group, so that a mutant that hangs (a skipped unlock) is
// ended whole, workers and test subprocesses included, and counted as killed by timeout.

interface RunResult {
  ok: boolean;
  timedOut: boolean;
  output: string;
  seconds: number;
}

const children = new Set<number>();

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      // MUTATION_CHECK: the suite runs inside a copy a mutant may have changed, where the catalogue's own check
      // (test/bench.test.ts) would fail on every mutant's search text; mutate checked the catalogue before.
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", [MUTATION_CHECK]: "1" },
    });
    let output = "";
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    if (child.pid !== undefined) children.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) children.delete(child.pid);
      resolve({
        ok: code === 0 && !timedOut,
        timedOut,
        output,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
      });
    });
  });
}

function endChildren(): void {
  for (const pid of children) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Judges

interface Judge {
  name: string;
  kind: "as-pect" | "node" | "torture";
  command: string;
  args: string[];
  /** What to say of a failure: the first failing test, or the torture's verdict. */
  explain: (output: string) => string;
  /** For a torture of a scheme broken on purpose: the run must fail (be caught). */
  mustFail?: boolean;
  /** The whole node suite: too slow to repeat for an entry's attempts. */
  whole?: boolean;
}

const node = process.execPath;

/** The node test files that exercise the core across workers, run before the whole suite. */
const FAST_NODE_TESTS = ["test/races.test.ts", "test/workers.test.ts"];

function firstFailingSpec(output: string): string {
  // as-pect: "❌ assembly/__tests__/x.spec.ts ..." for a file, then "    ❌ <test name> - <message>" per failing test.
  const clean = stripVTControlCharacters(output);
  let file = "";
  const failed: string[] = [];
  for (const text of clean.split("\n")) {
    const inFile = /^❌ (\S+)/.exec(text);
    if (inFile) file = inFile[1].replace(/^.*\//, "");
    const test = /^\s+❌ (.*?)(?: - .*)?$/.exec(text);
    if (test) failed.push(`${file}: ${test[1].trim()}`);
  }
  if (failed.length > 0) return failed[0] + (failed.length > 1 ? ` (and ${failed.length - 1} more)` : "");
  const error = /ERROR[^\n]*|RuntimeError[^\n]*|unreachable[^\n]*/.exec(clean)?.[0];
  return error ? error.trim().slice(0, 160) : "failed";
}

function firstFailingTest(output: string): string {
  // TAP: the most deeply nested "not ok" lines are the tests themselves, not their files.
  const failures = output
    .split("\n")
    .map((text) => /^(\s*)not ok \d+ - (.*)$/.exec(text))
    .filter((m) => m !== null);
  if (failures.length === 0) return "failed";
  const depth = Math.max(...failures.map((m) => m[1].length));
  const tests = failures.filter((m) => m[1].length === depth).map((m) => m[2].trim());
  return tests[0] + (tests.length > 1 ? ` (and ${tests.length - 1} more)` : "");
}

/** The test files in which a node run had failures (from each failure's location), relative to `dir`. */
function failingFiles(output: string, dir: string): string[] {
  const lines = output.split("\n");
  const files = new Set<string>();
  lines.forEach((text, i) => {
    const failure = /^\s*not ok \d+ - (.*)$/.exec(text);
    if (!failure) return;
    if (/\.test\.ts$/.test(failure[1].trim())) files.add(failure[1].trim());
    for (const next of lines.slice(i + 1, i + 12)) {
      const at = /location: '(.+?\.test\.ts):\d+:\d+'/.exec(next);
      if (at) {
        files.add(at[1]);
        break;
      }
    }
  });
  return [...files]
    .map((f) => (f.startsWith(dir + "/") ? f.slice(dir.length + 1) : f))
    .filter((f) => f.startsWith("test/"));
}

function tortureVerdict(output: string): string {
  const verdict =
    /^(SUCCESS|FAILURE|UNTESTED)$/m.exec(output)?.[1] ?? output.trim().split("\n").at(-1)?.slice(0, 160) ?? "";
  const violations = /violations ([\d,]+)/.exec(output)?.[1];
  const stale = /stale entries ([\d,]+)/.exec(output)?.[1];
  const unaccounted = /unaccounted installs (-?[\d,]+)/.exec(output)?.[1];
  return violations !== undefined
    ? `${verdict}, violations ${violations}, stale ${stale}` +
        `${unaccounted ? `, unaccounted installs ${unaccounted}` : ""}`
    : verdict;
}

function aspectJudge(): Judge {
  return {
    name: "as-pect",
    kind: "as-pect",
    command: node,
    args: ["node_modules/@as-pect/cli/bin/asp.js", "--config", "as-pect.config.js"],
    explain: firstFailingSpec,
  };
}

function nodeJudge(name: string, files: string[]): Judge {
  return {
    name,
    kind: "node",
    command: node,
    args: ["--import", "tsx", "--test", "--test-reporter=tap", ...files],
    explain: firstFailingTest,
  };
}

function tortureJudge(spec: string, seconds: number, options: string[] = []): Judge {
  const [scheme, expect] = spec.split(":");
  const mustFail = expect === "FAILURE";
  return {
    name: `torture ${[scheme, ...options].join(" ")}${mustFail ? " (must be caught)" : ""}`,
    kind: "torture",
    command: node,
    args: [
      "bin/daxbench.js",
      "torture",
      "--protection",
      scheme,
      "--seconds",
      String(seconds),
      "--timeout",
      "20s",
      ...options,
      ...(mustFail ? ["--stop-on-violation"] : []),
    ],
    explain: tortureVerdict,
    mustFail,
  };
}

function allNodeTests(dir: string): string[] {
  return readdirSync(join(dir, "test"))
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => `test/${f}`);
}

/** Whether an entry changes the wasm core (rebuilt for it, and judged by the specs and the worker tests too),
 *  rather than the host (run from source by tsx: nothing to build). */
function changesCore(m: Mutation): boolean {
  return m.file.startsWith("assembly/");
}

/** The judges of one entry, cheapest first: the tests written to kill it, then for the core the specs, the
 *  worker tests and its tortures. The whole node suite comes last: it is the slowest. */
function judgesFor(m: Mutation, dir: string, tortureSeconds: number): Judge[] {
  const own = (m.tests ?? []).filter((f) => existsSync(join(dir, f)));
  const fast = changesCore(m) ? FAST_NODE_TESTS.filter((f) => existsSync(join(dir, f))) : [];
  return [
    ...(own.length > 0 ? [nodeJudge(`node (${own.map((f) => f.replace(/^test\//, "")).join(", ")})`, own)] : []),
    ...(changesCore(m) ? [aspectJudge()] : []),
    ...(fast.length > 0 ? [nodeJudge("node (races, workers)", fast)] : []),
    ...(m.tortures ?? []).map((t) => tortureJudge(t, tortureSeconds, m.tortureOptions)),
    { ...nodeJudge("node (all)", allNodeTests(dir)), whole: true },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Scratch copies: the project's files (tracked, and new ones git does not ignore) with node_modules linked.

function projectFiles(): string[] {
  try {
    return listProjectFiles(root);
  } catch (error) {
    console.error(`mutate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

function makeScratch(files: string[], n: number): string {
  if (!existsSync(join(root, "node_modules"))) {
    console.error("mutate: node_modules is missing: run npm ci first");
    process.exit(2);
  }
  return copyProject(root, files, `daxbench-mutate-${n}-`);
}

function build(dir: string): Promise<RunResult> {
  // Only the release build: it is what the node tests and torture load (host/machine/wasm.ts); the debug build
  // is the same source, and as-pect compiles the specs from source itself.
  return run(
    node,
    ["node_modules/assemblyscript/bin/asc.js", "assembly/index.ts", "--target", "release"],
    dir,
    180_000,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Judging one mutant

/** Per-judge timeouts, from the unmutated run: generous, so that only a hang reaches them. */
const timeouts = new Map<string, number>();
const DEFAULT_TIMEOUT_MS = 240_000;

function timeoutFor(judge: Judge): number {
  return timeouts.get(judge.name) ?? DEFAULT_TIMEOUT_MS;
}

/** Whether a judge's run failed the core: a test failed, a correct scheme's torture did not end SUCCESS, or a
 *  scheme broken on purpose was no longer caught. */
function failed(j: Judge, result: RunResult): boolean {
  return j.mustFail ? result.ok || result.timedOut || !/^FAILURE$/m.test(result.output) : !result.ok;
}

/** A failure that the machine rather than the mutant may have caused: any node test (some time their work, and
 *  the machine is shared), and any hang. A torture that found violations is evidence on its own: the
 *  unmutated core never shows one. */
function needsConfirmation(j: Judge, result: RunResult): boolean {
  if (result.timedOut) return true;
  if (j.kind === "node") return true;
  return j.kind === "torture" && !j.mustFail && !/^FAILURE$/m.test(result.output);
}

async function judge(m: Mutation, dir: string, options: Options): Promise<Outcome> {
  const start = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
  const path = join(dir, m.file);
  const original = readFileSync(path, "utf8");
  const mutated = mutatedText(original, m);
  const install = async (text: string): Promise<RunResult> => {
    writeFileSync(path, text);
    // The host runs from source: a changed file of host/ is in force at the next judge's start.
    return changesCore(m) ? build(dir) : { ok: true, timedOut: false, output: "", seconds: 0 };
  };
  const notes: string[] = [];
  try {
    const built = await install(mutated);
    if (!built.ok) {
      const error = /ERROR[^\n]*/.exec(built.output)?.[0] ?? built.output.trim().split("\n")[0];
      return { mutation: m, verdict: "build broken", detail: error?.slice(0, 200), seconds: seconds() };
    }
    for (const j of judgesFor(m, dir, options.tortureSeconds)) {
      const attempts = j.kind === "as-pect" || j.whole ? 1 : (m.attempts ?? 1);
      let result = await run(j.command, j.args, dir, timeoutFor(j));
      for (let attempt = 1; attempt < attempts && !failed(j, result); attempt++) {
        result = await run(j.command, j.args, dir, timeoutFor(j));
      }
      if (!failed(j, result)) continue;
      const detail = result.timedOut
        ? `hung: timeout after ${Math.round(timeoutFor(j) / 1000)}s`
        : j.mustFail
          ? `${j.explain(result.output)}: no longer caught`
          : j.explain(result.output);
      if (needsConfirmation(j, result)) {
        // A kill counts only if it is the mutant's doing: the failing node files fail again on the mutant, and
        // the same judge (for node, only those files) passes on the unmutated core. A hang is not run twice.
        const files = j.kind === "node" && !result.timedOut ? failingFiles(result.output, dir) : [];
        const again = files.length > 0 ? nodeJudge(j.name, files) : j;
        if (!result.timedOut) {
          let repeat = await run(again.command, again.args, dir, timeoutFor(j));
          for (let attempt = 1; attempt < attempts && !failed(again, repeat); attempt++) {
            repeat = await run(again.command, again.args, dir, timeoutFor(j));
          }
          if (!failed(again, repeat)) {
            notes.push(`${j.name} failed once (${detail}) and passed when run again, so it is not counted`);
            continue;
          }
        }
        if (!(await install(original)).ok) throw new Error(`the unmutated core no longer builds in ${dir}`);
        const control = await run(again.command, again.args, dir, timeoutFor(j));
        if (!(await install(mutated)).ok) throw new Error(`mutant ${m.id} no longer builds in ${dir}`);
        if (failed(again, control)) {
          notes.push(
            `${j.name} failed on the unmutated core too (${again.explain(control.output)}), so it is not counted`,
          );
          continue;
        }
        const confirmed = result.timedOut ? "passes unmutated" : "fails again on the mutant and passes unmutated";
        return { mutation: m, verdict: "killed", judge: j.name, detail: `${detail}; ${confirmed}`, seconds: seconds() };
      }
      return { mutation: m, verdict: "killed", judge: j.name, detail, seconds: seconds() };
    }
    return { mutation: m, verdict: "survived", detail: notes.join("; ") || undefined, seconds: seconds() };
  } finally {
    writeFileSync(path, original);
  }
}

/** The unmutated copy must pass every judge the run will use, else a kill would mean nothing. Sets the timeouts. */
async function baseline(dir: string, selected: Mutation[], options: Options): Promise<void> {
  const judges = new Map<string, Judge>();
  for (const m of selected) for (const j of judgesFor(m, dir, options.tortureSeconds)) judges.set(j.name, j);
  for (const j of judges.values()) {
    const result = await run(j.command, j.args, dir, 900_000);
    const passed = !failed(j, result);
    console.log(`  baseline ${j.name}: ${passed ? "passes" : "FAILS"} (${result.seconds.toFixed(1)}s)`);
    if (!passed)
      throw new Error(
        `the unmutated copy fails ${j.name}, so no mutant can be judged by it:\n${result.output.slice(-3000)}`,
      );
    // A hang is what a timeout is for: allow four times the unmutated run, and never less than a minute.
    timeouts.set(j.name, Math.max(60_000, Math.ceil(result.seconds * 4 * 1000)));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function score(outcomes: Outcome[]): {
  killed: number;
  counted: number;
  survived: number;
  equivalent: number;
  broken: number;
} {
  const count = (v: Verdict): number => outcomes.filter((o) => o.verdict === v).length;
  const killed = count("killed");
  const survived = count("survived");
  return {
    killed,
    survived,
    counted: killed + survived,
    equivalent: count("equivalent"),
    broken: count("build broken"),
  };
}

function markdown(outcomes: Outcome[], totalSeconds: number, options: Options): string {
  const commit = checkoutCommit();
  const s = score(outcomes);
  const areas = [...new Set(outcomes.map((o) => o.mutation.area))];
  const lines = [
    "# Mutation check",
    "",
    `Generated by \`npm run mutate\` (bench/mutate.ts, catalogue bench/mutations.json) at commit ` +
      `${commit.replace("+dirty", " with uncommitted changes") || "unknown"}, ` +
      `on ${new Date().toISOString().slice(0, 10)}, node ${process.version}; the run took ` +
      `${formatMinutes(totalSeconds)} with ${options.jobs} job${options.jobs === 1 ? "" : "s"} and ` +
      `${options.tortureSeconds}s tortures. Do not edit by hand.`,
    "",
    "Each entry is one small change to the wasm core (assembly/) or to the host (host/), applied alone to a scratch",
    "copy (the core rebuilt) and judged cheapest judge first: the node tests written to kill it, then for the core",
    "the as-pect specs, the node tests of the core across workers (test/races.test.ts, test/workers.test.ts) and",
    "the entry's tortures, then the whole node suite. The first judge that fails kills the mutant. A torture marked",
    '"must be caught" runs a scheme broken on purpose, and kills the mutant if that scheme is no longer caught.',
    "Equivalent entries cannot change behaviour on this machine; they are listed with the reason and not counted.",
    "",
    `**Score: ${s.killed} of ${s.counted} killed ` +
      `(${s.counted ? ((100 * s.killed) / s.counted).toFixed(0) : "-"}%)**, ${s.survived} survived, ` +
      `${s.equivalent} equivalent${s.broken ? `, ${s.broken} broke the build (not counted)` : ""}; ` +
      `${outcomes.length} entries in ${areas.length} areas.`,
    "",
    "| area | entries | killed | survived | equivalent |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...areas.map((area) => {
      const of = outcomes.filter((o) => o.mutation.area === area);
      const n = (v: Verdict): number => of.filter((o) => o.verdict === v).length;
      return `| ${area} | ${of.length} | ${n("killed")} | ${n("survived")} | ${n("equivalent")} |`;
    }),
    "",
    "| id | area | file | change | verdict | by | what failed | time |",
    "| --- | --- | --- | --- | --- | --- | --- | ---: |",
    ...outcomes.map((o) => {
      const m = o.mutation;
      const by = o.verdict === "equivalent" ? "" : (o.judge ?? "");
      const what = o.verdict === "equivalent" ? (m.equivalent ?? "") : (o.detail ?? "");
      const time = o.verdict === "equivalent" ? "" : `${o.seconds.toFixed(1)}s`;
      return (
        `| ${m.id} | ${m.area} | ${m.file.replace(/^assembly\//, "")} | ${cell(m.description)} | ${o.verdict} | ` +
        `${cell(by)} | ${cell(what)} | ${time} |`
      );
    }),
    "",
  ];
  return lines.join("\n");
}

function formatMinutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

// ---------------------------------------------------------------------------------------------------------

function line(o: Outcome): string {
  const m = o.mutation;
  if (o.verdict === "equivalent") return `${"equivalent".padEnd(12)} ${m.id}: ${m.equivalent}`;
  const by = o.verdict === "killed" ? ` by ${o.judge}: ${o.detail}` : o.detail ? `: ${o.detail}` : "";
  return `${o.verdict.padEnd(12)} ${m.id} (${o.seconds.toFixed(1)}s)${by}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const catalogue = loadCatalogue();
  let selected = catalogue;
  if (options.only) {
    const unknown = options.only.filter((id) => !catalogue.some((m) => m.id === id));
    if (unknown.length > 0) usage(`--only: no entry ${unknown.join(", ")} (see --list)`);
    selected = selected.filter((m) => options.only!.includes(m.id));
  }
  if (options.files) {
    const under = (m: Mutation, file: string) => m.file === file || m.file.startsWith(`${file}/`);
    const unknown = options.files.filter((file) => !catalogue.some((m) => under(m, file)));
    if (unknown.length > 0) usage(`--file: no entry changes ${unknown.join(", ")} (see --list)`);
    selected = selected.filter((m) => options.files!.some((file) => under(m, file)));
  }
  if (options.areas) {
    const unknown = options.areas.filter((area) => !catalogue.some((m) => m.area === area));
    if (unknown.length > 0) usage(`--area: no entry of area ${unknown.join(", ")} (see --list)`);
    selected = selected.filter((m) => options.areas!.includes(m.area));
  }
  if (selected.length === 0) usage("no entry matches all of --only, --file and --area");
  const subset = selected.length < catalogue.length;
  if (options.list) {
    for (const m of selected) {
      const tortures = m.tortures?.length
        ? ` [torture ${m.tortures.join(", ")}${m.tortureOptions ? ` ${m.tortureOptions.join(" ")}` : ""}]`
        : "";
      const tests = m.tests?.length ? ` [${m.tests.join(", ")}]` : "";
      console.log(
        `${m.id.padEnd(34)} ${m.area.padEnd(14)} ${m.file.padEnd(24)} ` +
          `${m.equivalent ? "(equivalent) " : ""}${m.description}${tortures}${tests}`,
      );
    }
    const areas = new Set(selected.map((m) => m.area));
    console.log(
      `${selected.length} entries in ${areas.size} areas, ${selected.filter((m) => m.equivalent).length} equivalent`,
    );
    return;
  }
  const out = options.out ?? (subset ? undefined : join(root, "results/mutation.md"));
  const start = process.hrtime.bigint();
  const files = projectFiles();
  const dirs: string[] = [];
  const cleanup = (): void => {
    endChildren();
    if (!options.keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.on(signal, () => {
      cleanup();
      process.exit(code);
    });
  }
  try {
    for (let n = 0; n < Math.min(options.jobs, selected.length); n++) dirs.push(makeScratch(files, n));
    // Every copy gets its own build of the unmutated core: a host entry runs the tests on it as it is.
    for (const built of await Promise.all(dirs.map(build))) {
      if (!built.ok) throw new Error(`the unmutated core does not build:\n${built.output}`);
    }
    const toRun = selected.filter((m) => !m.equivalent);
    console.log(
      `mutate: ${selected.length} entries (${toRun.length} to run, ${selected.length - toRun.length} equivalent), ` +
        `scratch ${dirs.join(", ")}`,
    );
    if (options.baseline && toRun.length > 0) {
      console.log("mutate: the unmutated copy against every judge the run uses");
      await baseline(dirs[0], toRun, options);
    }
    const outcomes = new Map<string, Outcome>();
    for (const m of selected) {
      if (m.equivalent) {
        const o: Outcome = { mutation: m, verdict: "equivalent", seconds: 0 };
        outcomes.set(m.id, o);
        console.log(line(o));
      }
    }
    let next = 0;
    await Promise.all(
      dirs.map(async (dir) => {
        while (next < toRun.length) {
          const m = toRun[next++];
          const o = await judge(m, dir, options);
          outcomes.set(m.id, o);
          console.log(line(o));
        }
      }),
    );
    const ordered = selected.map((m) => outcomes.get(m.id)!);
    const totalSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const s = score(ordered);
    console.log(
      `\nscore: ${s.killed} of ${s.counted} killed, ${s.survived} survived, ${s.equivalent} equivalent` +
        `${s.broken ? `, ${s.broken} broke the build` : ""}; ${formatMinutes(totalSeconds)}`,
    );
    for (const o of ordered.filter((o) => o.verdict === "survived" || o.verdict === "build broken")) {
      console.log(`  ${o.verdict}: ${o.mutation.id} — ${o.mutation.description}`);
    }
    if (out) {
      writeFileAtomic(out, markdown(ordered, totalSeconds, options));
      console.log(`wrote ${out}`);
    }
    process.exitCode = s.survived > 0 || s.broken > 0 ? 1 : 0;
  } catch (error) {
    console.error(`mutate: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  } finally {
    cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
