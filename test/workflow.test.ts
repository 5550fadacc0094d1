// The CI workflow (.github/workflows/bench.yml) cannot run here, so it is checked here: against the GitHub
// workflow schema (SchemaStore's github-workflow.json, vendored in test/schemas/ since tests have no network),
// its daxbench command lines against the command line's own parser, its shards and artifacts against each
// other, and its merge, report and history lines run as written on synthetic shards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { Ajv } from "ajv";
import yargs from "yargs";
import { COMMANDS } from "../host/cli/main.ts";
import { shard } from "../host/run/matrix.ts";
import { shardOption } from "../host/cli/options.ts";
import { csvText } from "../host/export/csv.ts";
import { syntheticRows } from "./synthetic.ts";
import { daxbench } from "./daxbench.ts";

const root = new URL("..", import.meta.url).pathname;

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
}
interface Job {
  needs?: string | string[];
  "runs-on"?: string;
  strategy?: { matrix: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
}

const text = readFileSync(join(root, ".github/workflows/bench.yml"), "utf8");
const workflow = parse(text) as Workflow;
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
  JSON.parse(readFileSync(join(root, "test/schemas/github-workflow.json"), "utf8")),
);

test("the workflow validates against the GitHub workflow schema, and a broken one does not", () => {
  assert.equal(validate(workflow), true, JSON.stringify(validate.errors, null, 2));
  const noRunner = structuredClone(workflow);
  delete noRunner.jobs.merge["runs-on"];
  assert.equal(validate(noRunner), false, "a job without runs-on");
  assert.equal(validate({ ...workflow, on: "pushed" }), false, "an event that does not exist");
});

/** The daxbench command lines of every step's script, with the matrix's value put in for its expression. */
function daxbenchLines(jobs: Record<string, Job>): { job: string; args: string[] }[] {
  return Object.entries(jobs).flatMap(([job, { steps }]) =>
    steps.flatMap((step) =>
      (step.run ?? "")
        .split("\n")
        .filter((line) => /\bnpx daxbench /.test(line))
        .map((line) => ({
          job,
          args: line
            .replace(/\$\{\{ matrix\.shard \}\}/g, "1")
            .split(/\bnpx daxbench /)[1]
            .trim()
            .split(/\s+/),
        })),
    ),
  );
}

/** The error daxbench's parser gives these arguments (strict: every command and flag must exist), or "". */
async function parseError(args: string[]): Promise<string> {
  let parser = yargs()
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    });
  for (const command of COMMANDS) parser = parser.command(command.usage, command.describe, command.options);
  try {
    await parser.demandCommand(1).parseAsync(args);
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

test("every daxbench line of the workflow names a real command and real flags", async () => {
  const lines = daxbenchLines(workflow.jobs);
  assert.deepEqual([...new Set(lines.map((line) => line.args[0]))].sort(), ["history", "merge", "report", "run"]);
  for (const { job, args } of lines) assert.equal(await parseError(args), "", `${job}: daxbench ${args.join(" ")}`);
  assert.match(
    await parseError(["history", "a.csv", "--fail-on", "regression", "--min-chnge", "10"]),
    /Unknown arguments?: min-chnge/,
  );
  assert.match(await parseError(["histroy", "a.csv"]), /Unknown arguments?: histroy/);
});

test("every npm script the workflow runs is one of package.json's, and the mutation check runs for a release", () => {
  const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
  const run = Object.values(workflow.jobs).flatMap(({ steps }) =>
    steps.flatMap((step) => [...(step.run ?? "").matchAll(/\bnpm run (\S+)/g)].map((m) => m[1])),
  );
  assert.ok(run.includes("mutate"), "a job runs npm run mutate");
  for (const script of run) assert.ok(scripts.includes(script), `npm run ${script}: package.json has no such script`);
  assert.deepEqual((workflow.on as { push: { tags: string[] } }).push.tags, ["v*"]);
});

test("the shards cover the matrix once, and every artifact downloaded is one uploaded", () => {
  const { shard: shards } = workflow.jobs.shard.strategy!.matrix;
  const [run] = daxbenchLines({ shard: workflow.jobs.shard });
  const count = Number(/^1\/(\d+)$/.exec(run.args[run.args.indexOf("--shard") + 1])![1]);
  assert.deepEqual(
    shards,
    Array.from({ length: count }, (_, i) => i + 1),
    "one job per slice of --shard I/N",
  );
  const configurations = Array.from({ length: 23 }, (_, i) => i);
  assert.deepEqual(
    shards.flatMap((i) => shard(configurations, shardOption(`${i}/${count}`))).sort((a, b) => a - b),
    configurations,
  );
  const steps = (job: string, action: string) =>
    workflow.jobs[job].steps.filter((step) => step.uses?.startsWith(action)).map((step) => step.with!);
  assert.deepEqual(
    steps("shard", "actions/upload-artifact").map((w) => w.name),
    ["shard-${{ matrix.shard }}"],
  );
  assert.deepEqual(
    steps("merge", "actions/download-artifact").map((w) => w.pattern),
    ["shard-*"],
  );
  assert.deepEqual(
    steps("merge", "actions/upload-artifact").map((w) => w.name),
    ["bench-results"],
  );
  assert.deepEqual(
    steps("regression", "actions/download-artifact").map((w) => w.name),
    ["bench-results"],
  );
  assert.match(text, /gh run download "\$run_id" --repo "\$GITHUB_REPOSITORY" --name bench-results --dir base/);
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const need of [job.needs ?? []].flat())
      assert.ok(need in workflow.jobs, `${name} needs ${need}, which is no job`);
  }
});

/** A token of a command line as the shell would give it: a * in its last part matches file names. */
function expand(token: string): string[] {
  if (!token.includes("*")) return [token];
  const pattern = new RegExp(`^${token.split("/").at(-1)!.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`);
  return readdirSync(dirname(token))
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(dirname(token), name));
}

test(
  "merge, report and history run as the workflow writes them, " +
    "and the pull request's gate fails on a planted slowdown",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-workflow-"));
    const reps = [100, 101, 99, 102, 98];
    const configurations = ["rcu", "mutex"].flatMap((protection) =>
      ["4k", "2m"].map((align) => ({ protection, align })),
    );
    mkdirSync(join(dir, "shards"));
    // What the shard jobs upload: one configuration each, at this commit.
    configurations.forEach((c, i) =>
      writeFileSync(
        join(dir, "shards", `shard-${i + 1}.csv`),
        csvText(
          syntheticRows([
            {
              ...c,
              nsPerOp: reps.map((v) => v * (c.protection === "mutex" && c.align === "2m" ? 2 : 1)),
              cells: { commit: "pr", started_at: `2026-02-01T00:0${i}:00.000Z` },
            },
          ]),
        ),
      ),
    );
    /** What the base branch's bench-results held: the same configurations, none slower. */
    const base = csvText(
      syntheticRows(
        configurations.map((c) => ({
          ...c,
          nsPerOp: reps,
          cells: { commit: "main", started_at: "2026-01-01T00:00:00.000Z" },
        })),
      ),
    );
    const line = (job: string, command: string) =>
      daxbenchLines({ [job]: workflow.jobs[job] })
        .find((l) => l.args[0] === command)!
        .args.flatMap(expand);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const command of ["merge", "report"]) {
        const result = await daxbench(...line("merge", command));
        assert.equal(result.status, 0, `${command}: ${result.stderr}`);
      }
      assert.ok(["bench.csv", "bench.md", "bench.html"].every((name) => existsSync(join("results", name))));
      // The regression job downloads this run's bench-results into new/ and the base's into base/.
      mkdirSync("new");
      mkdirSync("base");
      for (const name of ["bench.csv", "bench.md", "bench.html"])
        copyFileSync(join("results", name), join("new", name));
      writeFileSync(join("base", "bench.csv"), base);
      const gate = await daxbench(...line("regression", "history"));
      assert.equal(gate.status, 1, gate.stdout + gate.stderr);
      assert.match(gate.stderr, /^regression: populate mutex 2m 1w 1g: main\.\.pr: 2\.00× slower/);
      const report = await daxbench(...line("regression", "report"));
      assert.equal(report.status, 0, report.stderr);
      assert.match(readFileSync(join("new", "bench.html"), "utf8"), /<section id="history">/);
      // The same runs with nothing slower pass the gate.
      writeFileSync(
        join("new", "bench.csv"),
        base.replaceAll(",main,2026-01-01T00:00:00.000Z,", ",pr,2026-02-01T00:00:00.000Z,"),
      );
      const pass = await daxbench(...line("regression", "history"));
      assert.equal(pass.status, 0, pass.stdout + pass.stderr);
    } finally {
      process.chdir(cwd);
    }
  },
);
