// The families of codes the wasm core numbers, each defined once here by the names the CLI, the CSV and
// stats() use, with the name of the core's constant for each (device.ts, percpu.ts, fault.ts, tlb.ts; the
// schemes' of protection.ts come from host/schemes.ts, with the rest of what a scheme is). The host's types are
// derived from these tables (PolicyName, StatSlot, SigbusReason, TlbSlot), and so is host/machine/core.ts's list
// of the core's constants, which test/bindings.test.ts holds to what the build exports: a code added to the core
// and not named here, or named here and gone from the core, fails it.

import { SCHEMES, type RegisteredScheme } from "./schemes.ts";

/** The protection schemes' constants, by scheme name (set_protection() takes them): from host/schemes.ts. */
export const SCHEME_CODES = Object.fromEntries(SCHEMES.map((scheme) => [scheme.name, scheme.code])) as {
  readonly [S in RegisteredScheme as S["name"]]: S["code"];
};

/** The mapping policies, with the constant dax_region_create takes: device-dax's deterministic alignment, or
 *  fs-dax's opportunistic pmds. */
export const POLICY_CODES = { device: "POLICY_DEVICE", fs: "POLICY_FS" } as const;
export type PolicyName = keyof typeof POLICY_CODES;
export const POLICIES = Object.keys(POLICY_CODES) as PolicyName[];

/** The counters of a CPU's first stats line (assembly/percpu.ts), by the names stats() reports them under. */
export const STAT_SLOTS = {
  pte_installs: "STAT_PTE_INSTALLS",
  pmd_installs: "STAT_PMD_INSTALLS",
  pud_installs: "STAT_PUD_INSTALLS",
  raced: "STAT_RACED",
  sigbus: "STAT_SIGBUS",
  fallback: "STAT_FALLBACK",
  oom: "STAT_OOM",
  hits: "STAT_HITS",
} as const;
export type StatSlot = keyof typeof STAT_SLOTS;

/** Why each SIGBUS was returned (assembly/fault.ts), one counter per reason: stats() reports sigbus_<reason>. */
export const SIGBUS_REASONS = {
  dead: "SIGBUS_DEAD",
  bad_vma: "SIGBUS_BAD_VMA",
  below_align: "SIGBUS_BELOW_ALIGN",
  no_devmap: "SIGBUS_NO_DEVMAP",
  outside_vma: "SIGBUS_OUTSIDE_VMA",
  no_phys: "SIGBUS_NO_PHYS",
  insert_failed: "SIGBUS_INSERT_FAILED",
} as const;
export type SigbusReason = keyof typeof SIGBUS_REASONS;

/** The TLB model's counters (assembly/tlb.ts): stats() reports tlb_<name>. */
export const TLB_SLOTS = {
  accesses: "TLB_STAT_ACCESSES",
  l1_misses: "TLB_STAT_L1_MISSES",
  walks: "TLB_STAT_WALKS",
  walk_levels: "TLB_STAT_WALK_LEVELS",
} as const;
export type TlbSlot = keyof typeof TLB_SLOTS;

/** Every constant these tables name, for host/machine/core.ts's list of the core's constants. */
export const NAMED_CODES = [
  ...Object.values(SCHEME_CODES),
  ...Object.values(POLICY_CODES),
  ...Object.values(STAT_SLOTS),
  ...Object.values(SIGBUS_REASONS),
  ...Object.values(TLB_SLOTS),
];
