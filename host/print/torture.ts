// What `daxbench torture` prints: the run, its counts, the Reader Pipe, and SUCCESS or FAILURE last.

import type { TortureVerdict } from "../torture.ts";
import { percentile } from "../results.ts";
import { formatSize, formatDuration } from "../units.ts";

const count = new Intl.NumberFormat("en-US");

export function tortureReport({ measurement: m, violations, staleEntries, success }: TortureVerdict): string {
  const c = m.config;
  const s = m.stats;
  const installs = s.pte_installs + s.pmd_installs + s.pud_installs;
  const pipe = Object.keys(s).filter((name) => name.startsWith("pipe_")).map((name) => count.format(s[name]));
  const gp = (p: number) => {
    const ns = percentile(m.gracePeriodsNs, p);
    return ns === "" ? "-" : formatDuration(ns);
  };
  return [
    `torture: ${c.protection}, ${c.workers} workers, ${c.align} region, ${formatSize(c.size)} mapping, ` +
      `read delay ${formatDuration(c.readDelayNs)}, kill period ${c.killPeriodNs === null ? "never" : formatDuration(c.killPeriodNs)}, ran ${formatDuration(m.elapsedNs)}`,
    `installs ${count.format(installs)}  kills ${count.format(m.gracePeriodsNs.length)}  sigbus ${count.format(s.sigbus)}  ` +
      `grace period p50 ${gp(50)} p99 ${gp(99)}`,
    `Reader Pipe: ${pipe.join(" ")}`,
    "  (installs by the stage their generation had reached: 0 alive, 1 kill begun, 2+ synchronized = violation)",
    `violations ${count.format(violations)} (of which reads of freed device state ${count.format(s.poison_reads)})  stale entries ${count.format(staleEntries)}`,
    success ? "SUCCESS" : "FAILURE",
  ].join("\n");
}
