// Regenerates docs/torture.md's generated section ("Does RCU protect alive?") and results/torture.csv from real
// torture runs (npm run results:torture). Nothing in that section is typed by hand: the numbers come from these runs.

import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeFileAtomic } from "../host/output-files.ts";
import { replaceSection } from "../host/export/readme.ts";
import { formatDuration } from "../host/units.ts";
import { MIGRATION_ODDS } from "../host/machine/dax.ts";
import { SCHEMES, type Scheme, type SchemeName } from "../host/schemes.ts";
import { catalogueEntry, plantedCopy, type CatalogueEdits } from "./planted.ts";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "bin/daxbench.js");

interface Run {
  seconds: number;
  /** Broken by an ordering bug that only some schedules expose: how often torture catches it is counted. */
  orderingBug?: true;
  meaning: (row: Record<string, string>) => string;
}

/** The kill period a run achieved, from its row. */
function period(row: Record<string, string>): string {
  return formatDuration(Number(row.kill_period_achieved_ns));
}

/** One run per scheme of the registry (TypeScript refuses a scheme left out or one it lacks), in the
 *  README's order: the safe schemes, then the unsafe baseline, then those broken on purpose. */
const runs: Record<SchemeName, Run> = {
  rcu: {
    seconds: 10,
    meaning: (r) =>
      `SRCU's grace period orders a plain flag: after ${r.kills} kills (one every ${period(r)}), no fault that began ` +
      `before \`synchronize\` installed after it returned (${r.violations} violations), and no mapping outlived its ` +
      `device (${r.stale_entries} stale). ` +
      "Paul McKenney's answer to the thread, measured: RCU waits for readers; it need not publish a pointer.",
  },
  mutex: {
    seconds: 10,
    meaning: (r) =>
      `The reviewers' alternative is just as safe (${r.violations} violations over ${r.kills} kills), at the price ` +
      "of serialising every fault: see `daxbench run --scenario churn` for what that costs readers.",
  },
  rwlock: {
    seconds: 10,
    meaning: (r) => `A reader-writer lock is safe too (${r.violations} violations over ${r.kills} kills).`,
  },
  qsbr: {
    seconds: 10,
    meaning: (r) =>
      `QSBR, whose readers cost nothing and only announce quiescent states between batches, is safe as well ` +
      `(${r.violations} violations over ${r.kills} kills); its grace periods last as long as a batch.`,
  },
  "rcu-pointer": {
    seconds: 10,
    meaning: (r) =>
      `The reviewer's "exchange the entire structure" works as well (${r.violations} violations over ${r.kills} ` +
      "kills, no read of a freed copy), at the cost of a copy and a grace period for every update, revive included.",
  },
  refcount: {
    seconds: 10,
    meaning: (r) =>
      `A reference count with inc_not_zero, as Dan's reply had it, is safe (${r.violations} violations over ` +
      `${r.kills} kills): teardown waits for the count to drain, and a fault after that is refused.`,
  },
  "percpu-ref": {
    seconds: 10,
    meaning: (r) =>
      `memremap's percpu_ref is safe too (${r.violations} violations over ${r.kills} kills): its kill waits for ` +
      "an RCU-sched grace period before it sums the per-CPU counts, then for the count to drain.",
  },
  seqlock: {
    seconds: 5,
    meaning: (r) =>
      `A seqlock cannot guard alive: its writer waits for no reader, and a fault's install is not a read that a ` +
      `retry can take back: ${r.violations} faults installed after teardown, ${r.stale_entries} stale mappings.`,
  },
  none: {
    seconds: 5,
    meaning: (r) =>
      `Without a grace period the flag alone guarantees nothing: ${r.violations} faults installed after their ` +
      `device's teardown had "finished", leaving ${r.stale_entries} stale mappings. This is the bug the patch's ` +
      "`synchronize_rcu()` prevents, and proof that torture can see it.",
  },
  "rcu-skip-scan2": {
    seconds: 5,
    meaning: (r) =>
      `A grace period that is merely too short (SRCU without its second scan) is caught too: ${r.violations} ` +
      `violations, ${r.stale_entries} stale mappings. Both waits are needed.`,
  },
  "rcu-pointer-free-early": {
    seconds: 5,
    meaning: (r) =>
      `Exchanging the structure but freeing the old copy before the grace period is a use after free: ` +
      `${r.violations} reads of freed device state by faults still in their read side.`,
  },
  "rcu-check-outside": {
    seconds: 5,
    orderingBug: true,
    meaning: (r) =>
      `The bug the thread is about: a fault that checks \`alive\` before \`rcu_read_lock()\` can be overtaken by a ` +
      "whole teardown between its check and its lock, and then maps a device whose grace period is over: " +
      `${r.violations} violations, ${r.stale_entries} stale mappings.`,
  },
  "rcu-zap-early": {
    seconds: 5,
    orderingBug: true,
    meaning: (r) =>
      `Zapping before the grace period instead of after: faults still in their read side install behind the zap, and ` +
      `${r.stale_entries} mappings outlive their device (no install lands after the grace period: ` +
      `${r.violations} violations).`,
  },
};

/** How often torture catches each scheme broken by an ordering bug: runs of RATE_SECONDS, counted. */
const RATE_RUNS = 10;
const RATE_SECONDS = 10;
const RATE_SCHEMES = Object.entries(runs)
  .filter(([, run]) => run.orderingBug)
  .map(([protection]) => protection);

/** One-line slips inside the primitives, entries of the mutation catalogue: each is planted in a scratch copy
 *  and tortured RATE_RUNS times with its entry's scheme and settings (tortureOptions), as npm run mutate
 *  tortures it. */
const PRIMITIVE_SLIPS = ["srcu-scan1-skipped", "install-check-then-store", "qsbr-quiescent-state-in-read-side"];

interface SlipEntry extends CatalogueEdits {
  description: string;
  tortures?: string[];
  tortureOptions?: string[];
}

/** rcutorture's stresses: rcu_read_delay()'s long read-side delays, a flood of kills back to back, fake writers
 *  beside the updater (only beside a scheme whose synchronize() is a grace period alone), readers that
 *  migrate between lock and unlock, and four devices killed by two updaters at once under one SRCU domain or one
 *  each (these three only where the read side counts on SRCU's per-CPU counters). Every scheme
 *  that guards alive must pass each; every other must still be caught in 9 or more of RATE_RUNS runs of
 *  STRESS_SECONDS. */
const STRESSES = [
  { name: "long read-side delays", args: ["--long-delays"], appliesTo: () => true },
  { name: "kill flood", args: ["--kill-period", "0"], appliesTo: () => true },
  { name: "2 fake writers", args: ["--fake-writers", "2"], appliesTo: (s: Scheme) => s.graceOnlySync },
  { name: "migrating readers", args: ["--migrate"], appliesTo: (s: Scheme) => s.srcuCounters },
  {
    name: "4 devices, one domain, 2 updaters",
    args: ["--devices", "4", "--srcu-domain", "shared", "--updaters", "2"],
    appliesTo: (s: Scheme) => s.srcuCounters,
  },
  {
    name: "4 devices, a domain each, 2 updaters",
    args: ["--devices", "4", "--srcu-domain", "per-device", "--updaters", "2"],
    appliesTo: (s: Scheme) => s.srcuCounters,
  },
];
const STRESS_SECONDS = 5;

/** Runs `daxbench torture` RATE_RUNS times in `dir`, each run its own seed; how many ended FAILURE. */
function caughtIn(dir: string, args: string[], seconds = RATE_SECONDS): number {
  let caught = 0;
  for (let run = 0; run < RATE_RUNS; run++) {
    const command = [join(dir, "bin/daxbench.js"), "torture", ...args, "--seconds", String(seconds)];
    const result = spawnSync(process.execPath, command, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`daxbench torture ${args.join(" ")} failed in ${dir}: ${result.stderr}`);
    if (result.stdout.trim().endsWith("FAILURE")) caught++;
  }
  return caught;
}

const scratch = mkdtempSync(join(tmpdir(), "daxbench-torture-docs-"));
const sections: string[] = [];
const csvLines: string[] = [];
for (const [protection, run] of Object.entries(runs)) {
  const out = join(scratch, `${protection}.csv`);
  const args = ["torture", "--protection", protection, "--seconds", String(run.seconds), "--out", out];
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`daxbench ${args.join(" ")} failed: ${result.stderr}`);
  const text = readFileSync(out, "utf8");
  const [header, line] = text.trim().split("\n");
  if (csvLines.length === 0) csvLines.push(header);
  csvLines.push(line);
  const [row] = parse(text, { columns: true }) as Record<string, string>[];
  sections.push(
    `**\`${protection}\`** (\`daxbench ${args.slice(0, -2).join(" ")}\`): ${run.meaning(row)}\n\n` +
      "```\n" +
      result.stdout.trim() +
      "\n```",
  );
}
writeFileAtomic(join(root, "results/torture.csv"), csvLines.join("\n") + "\n");

// Each run draws its own seed (printed in its report), so the ten runs are ten different schedules of delays.
const rates = RATE_SCHEMES.map(
  (protection) => `| \`${protection}\` | ${caughtIn(root, ["--protection", protection])} of ${RATE_RUNS} |`,
);

const slipRates = PRIMITIVE_SLIPS.map((id) => {
  const entry = catalogueEntry<SlipEntry>(root, id);
  const scheme = entry.tortures?.[0];
  if (scheme === undefined || scheme.includes(":"))
    throw new Error(`bench/mutations.json: ${id} names no correct scheme to torture`);
  const args = ["--protection", scheme, ...(entry.tortureOptions ?? [])];
  const dir = plantedCopy(root, entry);
  try {
    return `| \`${id}\` | ${entry.description} | \`${args.join(" ")}\` | ${caughtIn(dir, args)} of ${RATE_RUNS} |`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A correct scheme under one stress, once: its verdict, worst grace period and readers' progress. */
function underStress(protection: string, args: string[]): string {
  const command = [bin, "torture", "--protection", protection, ...args, "--seconds", String(STRESS_SECONDS)];
  const result = spawnSync(process.execPath, command, { encoding: "utf8" });
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`daxbench torture ${command.slice(2).join(" ")} failed: ${result.stderr}`);
  const worst = /worst (\S+)/.exec(result.stdout)?.[1] ?? "-";
  const kills = /kills ([\d,]+)/.exec(result.stdout)?.[1] ?? "0";
  return `${result.stdout.trim().split("\n").at(-1)} (${kills} kills, worst grace period ${worst})`;
}

const stressRows = SCHEMES.map((scheme) => {
  const caught = (args: string[]) =>
    caughtIn(root, ["--protection", scheme.name, "--stop-on-violation", ...args], STRESS_SECONDS);
  const cells = STRESSES.map((stress) =>
    !stress.appliesTo(scheme)
      ? "–"
      : scheme.guardsAlive
        ? underStress(scheme.name, stress.args)
        : `caught in ${caught(stress.args)} of ${RATE_RUNS}`,
  );
  return `| \`${scheme.name}\` | ${scheme.guardsAlive ? "yes" : "no"} | ${cells.join(" | ")} |`;
});

replaceSection(
  join(root, "docs", "torture.md"),
  "torture",
  [
    "Each run below is churn with every install checked: readers fault continuously with a 1 µs read side while an",
    "updater is asked to kill the device every 200 µs (`alive = false`, `synchronize`, zap, revive). A kill takes " +
      "longer",
    "than that here (the zap alone walks 16,384 ptes, and 2 readers plus the updater share 2 CPUs), so each report " +
      "gives",
    "the period achieved, which is what was tested. An install that lands after its generation's `synchronize` " +
      "returned is",
    "a violation (Reader Pipe stage 2 or more); an entry of a dead generation left after a zap is a stale mapping; " +
      "a run",
    "without a kill would be UNTESTED. What torture cannot show (reorderings of weakly ordered CPUs) is said in",
    "[model.md](model.md). Rows: `results/torture.csv`.",
    "",
    "As rcutorture does, every run injects random delays (up to 5 µs, one step boundary in 64) before the read lock, " +
      "inside",
    "it, between `check_vma` and the install, after the unlock, between clearing `alive` and the grace period and " +
      "between",
    "the grace period and the zap: narrow windows open wide enough for an ordering bug to show. It injects them " +
      "inside the",
    "primitives too: between SRCU's load of `srcu_idx` and its counter's increment, between the install's read of " +
      "the slot",
    "and its compare-and-swap, and around QSBR's quiescent states (there up to 64 times as long: a reader announces " +
      "one per",
    "batch, and a grace period sleeps between its scans). The delays come from each worker's generator, seeded from",
    "`--seed` (drawn and printed when not given); with `--random-delay 0`, as in every benchmark, each is one branch " +
      "never",
    "taken. Teardown is the core's own `kill_dev_dax`, as the updater calls it. After the run, a census: the " +
      "installs the",
    "readers counted must equal the entries the zaps cleared plus those left (`unaccounted installs`), else two CPUs",
    "installed one slot.",
    "",
    `How often torture catches the ordering bugs, each in ${RATE_RUNS} runs of ${RATE_SECONDS} s, ` +
      "each run its own seed:",
    "",
    "| broken on purpose | runs that ended FAILURE |",
    "|:--|--:|",
    ...rates,
    "",
    "And one-line slips inside the primitives, each planted in a scratch copy of the core (the entries of " +
      "`npm run mutate`",
    `that name them), tortured ${RATE_RUNS} times for ${RATE_SECONDS} s with the settings that expose it: ` +
      "SCAN1's window closes at",
    "the next kill, so back-to-back kills (`--kill-period 0`); two readers meet on one slot, and a QSBR grace period " +
      "ends",
    "between short batches, on a small mapping (`--size 2m`). The correct schemes pass these settings too.",
    "",
    "| slip | what it does | torture | runs that ended FAILURE |",
    "|:--|:--|:--|--:|",
    ...slipRates,
    "",
    "Under rcutorture's stresses, each for " +
      `${STRESS_SECONDS} s: rcu_read_delay()'s rare long read-side delays (\`--long-delays\`: 200 µs busy in one read`,
    "side of readers × 500, 300 ms asleep in one of readers × 600,000), a flood of kills back to back",
    "(`--kill-period 0`), in which every reader must still complete touches (forward progress) and grace periods",
    "must keep ending, rcutorture's fake writers (`--fake-writers 2`: two more CPUs running grace periods back to",
    "back beside the updater, each of which must complete some; not beside the reference counts and the seqlock,",
    "whose synchronize() kills or writes: –), readers that migrate between lock and unlock (`--migrate`: one SRCU",
    `read side in ${MIGRATION_ODDS} unlocks on another CPU's counter; the rcu family only: –), and four devices`,
    "sharing the mapping, killed by two updaters at once (`--devices 4 --updaters 2`), under one SRCU domain",
    "(`--srcu-domain shared`, the kernel's dax_srcu) or a domain each (`per-device`; the rcu family only: –). " +
      "A scheme that guards " +
      "alive is run " +
      "once under each; any other " +
      `${RATE_RUNS} times (\`--stop-on-violation\`),`,
    "each run its own seed. `--soak 1h` runs any of these for an hour in rounds, a status line after each.",
    "",
    `| scheme | guards alive | ${STRESSES.map((stress) => stress.name).join(" | ")} |`,
    `|:--|:--|${STRESSES.map(() => ":--").join("|")}|`,
    ...stressRows,
    "",
    sections.join("\n\n"),
  ].join("\n"),
);
console.log(`docs/torture.md and results/torture.csv regenerated from ${Object.keys(runs).length} torture runs`);
