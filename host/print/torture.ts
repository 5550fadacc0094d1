// What `daxbench torture` prints: the run, its counts, the kill rate it achieved, the readers' forward progress,
// the Reader Pipe, and the verdict last: SUCCESS, FAILURE, or UNTESTED when no kill happened; in a soak, a
// status line after each round.

import { percentile } from "../results/schema.ts";
import { formatSize, formatDuration } from "../units.ts";
import { KILL_PERIOD_SLACK } from "./warnings.ts";
import { MIGRATION_ODDS } from "../machine/dax.ts";
import { FORWARD_PROGRESS_MIN_NS, type TortureVerdict } from "../results/torture.ts";
import type { Stats } from "../types.ts";
import type { SrcuDomain } from "../schemes.ts";

const count = new Intl.NumberFormat("en-US");

function killLine({ kills, achievedKillPeriodNs, measurement: m }: TortureVerdict): string[] {
  const asked = m.config.killPeriodNs;
  if (achievedKillPeriodNs === undefined)
    return [`no kill in ${formatDuration(m.elapsedNs)}: the guarantee was not exercised`];
  const rate = count.format(Math.round(kills / (m.elapsedNs / 1e9)));
  const line =
    `kills ${count.format(kills)}: one every ${formatDuration(Math.round(achievedKillPeriodNs))}` +
    `${m.config.updaters > 1 ? " from each updater" : ""} ` +
    `(asked ${formatDuration(asked!)}), ${rate} per second`;
  if (asked! > 0 && achievedKillPeriodNs > KILL_PERIOD_SLACK * asked!) {
    return [
      line,
      `warning: a kill (grace period, zap, revive) takes longer than the ${formatDuration(asked!)} asked: ` +
        "the achieved period is what was tested",
    ];
  }
  return [line];
}

/** Every install, at every level. */
const installsOf = (s: Stats) => s.pte_installs + s.pmd_installs + s.pud_installs;

/** Each reader's completed touches, "5,235 · 10,893". */
const readerTouches = (readerOps: number[]) => readerOps.map((ops) => count.format(ops)).join(" · ");

/** Forward progress: each reader's completed touches, or which readers completed none. */
function progressLine({ measurement: m, stalledReaders }: TortureVerdict): string {
  if (stalledReaders.length)
    return `no forward progress: the reader on cpu ${stalledReaders.join(", ")} completed no touch`;
  return readersProgress(m);
}

function readersProgress(m: TortureVerdict["measurement"]): string {
  if (m.elapsedNs < FORWARD_PROGRESS_MIN_NS)
    return (
      `forward progress not judged in a run under ${formatDuration(FORWARD_PROGRESS_MIN_NS)}: ` +
      `touches ${readerTouches(m.readerOps)}`
    );
  return `forward progress: every reader completed touches (${readerTouches(m.readerOps)})`;
}

/** rcutorture's fake writers: how many grace periods each completed, or which completed none. */
function fakeWritersLine({ measurement: m, stalledFakeWriters }: TortureVerdict): string[] {
  const periods = m.fakeWriterGracePeriods;
  if (periods.length === 0) return [];
  if (stalledFakeWriters.length)
    return [`no forward progress: fake writer ${stalledFakeWriters.join(", ")} completed no grace period`];
  return [`fake writers beside the updater: ${periods.length}, grace periods ${readerTouches(periods)}`];
}

/** " (kernel PATH (commit, date))" where the grace-period cost was taken from a kernel results file; "" where
 *  it was typed, as the duration already says it. */
function gpCostFrom(source: string): string {
  return source.startsWith("kernel ") ? ` (${source})` : "";
}

/** How several devices' read sides are grouped, in words. */
function devicesDomain(domain: SrcuDomain): string {
  return domain === "shared" ? "one SRCU domain for all" : "an SRCU domain each";
}

export function tortureReport(verdict: TortureVerdict): string {
  const { measurement: m, violations, staleEntries, unaccountedInstalls, outcome } = verdict;
  const c = m.config;
  const s = m.stats;
  const installs = installsOf(s);
  const pipe = Object.entries(s)
    .filter(([name]) => name.startsWith("pipe_"))
    .map(([, installs]) => count.format(installs));
  const gp = (p: number) => {
    const ns = percentile(m.gracePeriodsNs, p);
    return ns === "" ? "-" : formatDuration(ns);
  };
  return [
    `torture: ${c.protection}, ${c.workers} workers, ${c.align} region, ${formatSize(c.size)} mapping, ` +
      (c.devices > 1 ? `${c.devices} devices (${devicesDomain(c.srcuDomain)}), killed in turn, ` : "") +
      (c.updaters > 1 ? `by ${c.updaters} updaters at once, ` : "") +
      `read delay ${formatDuration(c.readDelayNs)}, kill period ${formatDuration(c.killPeriodNs!)}, ` +
      `${c.gpCostNs ? `grace-period cost ${formatDuration(c.gpCostNs)}${gpCostFrom(c.gpCostSource)}, ` : ""}` +
      `ran ${formatDuration(m.elapsedNs)}`,
    c.randomDelayNs > 0
      ? `random delays up to ${formatDuration(c.randomDelayNs)} at every step boundary, seed ${c.seed} ` +
        `(--seed ${c.seed} draws them again)`
      : `no random delays, seed ${c.seed}`,
    ...(c.longReadDelays
      ? [
          "long read-side delays as rcutorture's: 200us in one read side of readers × 500, 300ms in one of " +
            `× 600,000; taken: ${count.format(m.stats.short_delays)} of 200us, ` +
            `${count.format(m.stats.long_delays)} of 300ms`,
        ]
      : []),
    ...(c.migratingReaders
      ? [
          `migrating readers: one SRCU read side in ${MIGRATION_ODDS} unlocks on another CPU's counter; ` +
            `migrated: ${count.format(m.stats.migrations)}`,
        ]
      : []),
    ...killLine(verdict),
    `installs ${count.format(installs)}  sigbus ${count.format(s.sigbus)}  ` +
      `grace period p50 ${gp(50)} p99 ${gp(99)} worst ${gp(100)}`,
    progressLine(verdict),
    ...fakeWritersLine(verdict),
    `Reader Pipe: ${pipe.join(" ")}`,
    "  (installs by the stage their generation had reached: 0 alive, 1 kill begun, 2+ synchronized = violation)",
    `violations ${count.format(violations)} (of which reads of freed device state ${count.format(s.poison_reads)})` +
      `  stale entries ${count.format(staleEntries)}  unaccounted installs ${count.format(unaccountedInstalls)}`,
    outcome,
  ].join("\n");
}

/** A soak's status line after a round: where the soak is, and the round's counts and verdict. */
export function soakStatus(verdict: TortureVerdict, round: number, elapsedNs: number, soakNs: number): string {
  const m = verdict.measurement;
  const s = m.stats;
  const worst = percentile(m.gracePeriodsNs, 100);
  return (
    `soak ${m.config.protection}: round ${round} (seed ${m.config.seed}), ` +
    `${formatDuration(elapsedNs)} of ${formatDuration(soakNs)}: ` +
    `kills ${count.format(verdict.kills)}, installs ${count.format(installsOf(s))}, ` +
    `violations ${count.format(verdict.violations)}, stale ${count.format(verdict.staleEntries)}, ` +
    `worst grace period ${worst === "" ? "-" : formatDuration(worst)}, ` +
    `readers' touches ${readerTouches(m.readerOps)}: ${verdict.outcome}`
  );
}
