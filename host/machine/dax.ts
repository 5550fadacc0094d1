// The host's view of one modelled Device-DAX machine: a shared memory, the compiled core, and the main
// thread's own instance (CPU 0), which sets up the region, device and vma before any worker starts.
// Every bad value is refused here with an error that names it, before anything is installed.

import { loadModule, createSharedMemory, WASM_PAGE, type BuildTarget, type MemoryLimits } from "./wasm.ts";
import { instantiate, type DaxInstance } from "./instance.ts";
import type { CoreConstant } from "./core.ts";
import { formatSize, hex } from "../units.ts";
import { runQueueWaitNs } from "../system.ts";
import type { AlignName, Stats, TlbGeometry } from "../types.ts";
import {
  POLICIES,
  POLICY_CODES,
  SCHEME_CODES,
  SIGBUS_REASONS,
  STAT_SLOTS,
  TLB_SLOTS,
  type PolicyName,
} from "../core-codes.ts";
import type { SchemeName, SrcuDomain } from "../schemes.ts";

/** The region alignments the kernel accepts, by the names the CLI and the CSV use. */
export const ALIGNMENTS: Readonly<Record<AlignName, bigint>> = { "4k": 1n << 12n, "2m": 1n << 21n, "1g": 1n << 30n };

/** A physical extent [start, end] with an inclusive end, as struct resource has. */
export interface Extent {
  start: bigint;
  end: bigint;
}

/** Why dax_region_create, dax_dev_add_extent or dax_dev_enable refused (assembly/device.ts), by the word the
 *  host's message is chosen by. */
export const DEVICE_ERRORS = {
  policy: "DEV_ERR_POLICY",
  align: "DEV_ERR_ALIGN",
  pfn_flags: "DEV_ERR_PFN_FLAGS",
  too_many_extents: "DEV_ERR_TOO_MANY_EXTENTS",
  empty_extent: "DEV_ERR_EMPTY_EXTENT",
  unaligned_extent: "DEV_ERR_UNALIGNED_EXTENT",
  overlapping_extent: "DEV_ERR_OVERLAPPING_EXTENT",
  extent_too_high: "DEV_ERR_EXTENT_TOO_HIGH",
  no_extents: "DEV_ERR_NO_EXTENTS",
  alive: "DEV_ERR_ALIVE",
} as const satisfies Record<string, CoreConstant>;

/** Why dax_mmap refused a vma (assembly/vma.ts): check_vma()'s reasons, then the mapping's own, in the words
 *  the host's message gives them. */
export const MMAP_REFUSALS = {
  dead: "CHECK_VMA_DEAD",
  private: "CHECK_VMA_PRIVATE",
  unaligned: "CHECK_VMA_UNALIGNED",
  "needs dontfork": "CHECK_VMA_NEEDS_DONTFORK",
  "not dax": "CHECK_VMA_NOT_DAX",
  "no memory": "MMAP_NO_MEMORY",
  "offset overflow": "MMAP_OVERFLOW",
} as const satisfies Record<string, CoreConstant>;

export interface DeviceSpec {
  align: bigint;
  /** Default "device". */
  policy?: PolicyName;
  /** Default PFN_DEV | PFN_MAP: the device has struct pages, so pmds and puds are allowed. */
  pfnFlags?: bigint;
  extents: Extent[];
}

export interface VmaSpec {
  start: bigint;
  end: bigint;
  pgoff?: bigint;
  /** Default: a shared, writable, DAX-capable mapping (what mmap(MAP_SHARED) of /dev/daxN.M gives). */
  flags?: bigint;
}

/** A configuration the kernel, or the machine, refuses: the message names the bad value. */
export class DaxConfigError extends Error {
  override name = "DaxConfigError";
}

/** Rare long read-side delays: one read side in `longOdds` sleeps `longNs`, one in `shortOdds` spins `shortNs`
 *  (odds 0: never). */
export interface LongReadDelays {
  longOdds: number;
  longNs: number;
  shortOdds: number;
  shortNs: number;
}

/** Torture's migrating readers: one SRCU read side in this many unlocks on another CPU, drawn from every CPU
 *  attached (itself too). Often enough that every grace period meets unbalanced per-CPU counts. */
export const MIGRATION_ODDS = 16;

export const NO_LONG_DELAYS: LongReadDelays = { longOdds: 0, longNs: 0, shortOdds: 0, shortNs: 0 };

/** rcutorture's rcu_read_delay() for `readers` readers (kernel/rcu/rcutorture.c): shortdelay_us = 200 in one
 *  read side of nrealreaders × 500, longdelay_ms = 300 in one of nrealreaders × 2000 × longdelay_ms. */
export function rcutortureReadDelays(readers: number): LongReadDelays {
  const longDelayMs = 300;
  return {
    longOdds: readers * 2000 * longDelayMs,
    longNs: longDelayMs * 1e6,
    shortOdds: readers * 500,
    shortNs: 200e3,
  };
}

/** Where the model puts a mapping: physical memory far above 4 GiB, user addresses near 2^47. */
export const PHYS_BASE = 1n << 40n;
export const USER_BASE = 0x7f00_0000_0000n;

/** One extent of `bytes` at PHYS_BASE and a vma of the same size at USER_BASE: what the workloads map. */
export function simpleMapping(
  align: bigint,
  bytes: bigint,
  policy: PolicyName = "device",
): { device: DeviceSpec; vma: VmaSpec } {
  return {
    device: { align, policy, extents: [{ start: PHYS_BASE, end: PHYS_BASE + bytes - 1n }] },
    vma: { start: USER_BASE, end: USER_BASE + bytes },
  };
}

/** Intel Skylake server core: Intel 64 and IA-32 Architectures Optimization Reference Manual (248966),
 *  Skylake Server microarchitecture, TLB parameters: DTLB 64/4 (4 KiB), 32/4 (2 MiB), 4/4 (1 GiB); STLB
 *  1536/12 (4 KiB and 2 MiB), 16/4 (1 GiB). */
export const SKYLAKE_TLB: TlbGeometry = {
  l1_4k: [64, 4],
  l1_2m: [32, 4],
  l1_1g: [4, 4],
  stlb: [1536, 12],
  stlb_1g: [16, 4],
};

/** "64/4,32/4,4/4,1536/12,16/4": L1 4 KiB, L1 2 MiB, L1 1 GiB, STLB, STLB 1 GiB, each entries/ways. */
export function formatTlbGeometry(g: TlbGeometry): string {
  return [g.l1_4k, g.l1_2m, g.l1_1g, g.stlb, g.stlb_1g].map(([n, w]) => `${n}/${w}`).join(",");
}

export function parseTlbGeometry(text: string): TlbGeometry | null {
  const pairs = text
    .split(",")
    .map((pair) => /^(\d+)\/(\d+)$/.exec(pair.trim()))
    .map((m) => (m ? ([Number(m[1]), Number(m[2])] as [number, number]) : null));
  if (pairs.length !== 5 || pairs.some((p) => p === null)) return null;
  const [l1_4k, l1_2m, l1_1g, stlb, stlb_1g] = pairs as [number, number][];
  return { l1_4k, l1_2m, l1_1g, stlb, stlb_1g };
}

let calibratedSpinsPerNs: number | undefined;

/** How many iterations of the core's spin() take a nanosecond on this machine, measured once per process
 *  after a warm-up (so the optimizing tier, not the baseline compiler, is what is timed). A spin is timed on
 *  the CPU: less the time this thread waited on a run queue meanwhile (system.ts), so that a busy machine, which
 *  takes the CPU away during the calibration, does not make every read delay and fault cost shorter than asked
 *  (at a load of 20 on 2 CPUs, a 1 us fault cost came out as 0.4 us). */
function spinsPerNanosecond(core: DaxInstance): number {
  if (calibratedSpinsPerNs === undefined) {
    const time = (spins: number): number => {
      // The clock is read outside the two reads of the wait, so that every wait counted falls inside the time.
      const start = process.hrtime.bigint();
      const waitedBefore = runQueueWaitNs();
      core.exports.spin(spins);
      const waitedAfter = runQueueWaitNs();
      const elapsed = Number(process.hrtime.bigint() - start);
      return waitedBefore === undefined || waitedAfter === undefined ? elapsed : elapsed - (waitedAfter - waitedBefore);
    };
    let spins = 1 << 16;
    time(1 << 22);
    while (time(spins) < 20e6) spins *= 2;
    calibratedSpinsPerNs = spins / Math.min(time(spins), time(spins));
  }
  return calibratedSpinsPerNs;
}

/** The spins that last about `ns`; they are counted in an i32, so a longer wait is refused, never wrapped. */
function spinsFor(ns: number, core: DaxInstance): number {
  const spins = Math.round(ns * spinsPerNanosecond(core));
  if (spins > 2 ** 31 - 1) throw new DaxConfigError(`a spin of ${ns} ns does not fit the core's 32-bit spin count`);
  return spins;
}

/** Two sets of counters added up, counter by counter. */
export function addStats(a: Stats, b: Stats): Stats {
  const sum = { ...a };
  for (const [name, value] of Object.entries(b) as [keyof Stats, bigint][]) sum[name] = (sum[name] ?? 0n) + value;
  return sum;
}

export class DaxMachine {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly core: DaxInstance;
  private readonly limits: MemoryLimits;

  constructor(target: BuildTarget = "release") {
    const { module, limits } = loadModule(target);
    this.module = module;
    this.limits = limits;
    this.memory = createSharedMemory(limits);
    this.core = instantiate(module, this.memory);
    this.core.exports.attach(0, 1n);
  }

  /** Creates the region and its device, and makes it live. Resets every lock and counter: call it only
   *  while no worker runs. */
  createDevice(spec: DeviceSpec): void {
    const core = this.core.exports;
    const pfnFlags = spec.pfnFlags ?? this.core.bigConstant("PFN_DEV") | this.core.bigConstant("PFN_MAP");
    const refuse = (code: number, extent?: { i: number; start: bigint; end: bigint }): void => {
      if (code !== this.core.constant("DEV_OK"))
        throw new DaxConfigError(this.deviceError(this.nameOf(DEVICE_ERRORS, code), spec, pfnFlags, extent));
    };
    const policy = spec.policy ?? "device";
    if (!Object.hasOwn(POLICY_CODES, policy))
      throw new DaxConfigError(`policy ${spec.policy} is not one of ${POLICIES.join(", ")}`);
    refuse(core.dax_region_create(spec.align, pfnFlags, this.core.constant(POLICY_CODES[policy])));
    spec.extents.forEach((extent, i) => refuse(core.dax_dev_add_extent(extent.start, extent.end), { i, ...extent }));
    refuse(core.dax_dev_enable());
  }

  /** The host's name for `code` in one of the tables of the core's codes above; undefined for a code it lacks. */
  private nameOf<Name extends string>(table: Record<Name, CoreConstant>, code: number): Name | undefined {
    return (Object.keys(table) as Name[]).find((name) => this.core.constant(table[name]) === code);
  }

  private deviceError(
    reason: keyof typeof DEVICE_ERRORS | undefined,
    spec: DeviceSpec,
    pfnFlags: bigint,
    extent?: Extent & { i: number },
  ): string {
    const where = extent ? `extent ${extent.i} [${hex(extent.start)}, ${hex(extent.end)}]` : "";
    switch (reason) {
      case "align":
        return `align ${formatSize(spec.align)} is not one of ${Object.keys(ALIGNMENTS).join(", ")}`;
      case "pfn_flags":
        return `pfn flags ${hex(pfnFlags)} are not a combination of PFN_DEV and PFN_MAP`;
      case "no_extents":
        return "the device has no extents: give at least one [start, end]";
      case "too_many_extents":
        return `${where}: a device has at most ${this.core.constant("MAX_EXTENTS")} extents`;
      case "empty_extent":
        return `${where} ends before it starts`;
      case "unaligned_extent":
        return `${where}: start and size must be multiples of the region's ${formatSize(spec.align)} alignment`;
      case "overlapping_extent":
        return `${where} overlaps an earlier extent`;
      case "extent_too_high":
        return `${where} reaches beyond the ${hex(this.core.bigConstant("MAX_PHYS"))} physical limit`;
      default:
        return `device refused: ${reason}`;
    }
  }

  /** Refuses a vma the mm would (start >= end) or whose page tables the shared memory cannot hold, and
   *  returns the memory, in wasm pages, that mapping it needs. Installs nothing. */
  checkVma(vma: VmaSpec): number {
    if (vma.start >= vma.end) {
      throw new DaxConfigError(`vma start ${hex(vma.start)} is not below its end ${hex(vma.end)}`);
    }
    const needed = this.core.bigConstant("TABLES_BASE") + this.core.exports.dax_mmap_tables_bytes(vma.start, vma.end);
    const most = BigInt(this.limits.maximum) * BigInt(WASM_PAGE);
    if (needed > most) {
      throw new DaxConfigError(
        `a ${formatSize(vma.end - vma.start)} mapping needs ${formatSize(needed)} of shared memory ` +
          `for its page tables; the memory holds at most ${formatSize(most)}`,
      );
    }
    return Number((needed + BigInt(WASM_PAGE) - 1n) / BigInt(WASM_PAGE));
  }

  /** mmap() of the device: refuses a bad vma as the mm and check_vma() would, before any fault. */
  mmap(vma: VmaSpec): void {
    const core = this.core.exports;
    const pgoff = vma.pgoff ?? 0n;
    const flags = vma.flags ?? this.defaultVmaFlags();
    const reason = this.tryMmap(vma);
    if (reason !== this.core.constant("CHECK_VMA_OK")) {
      throw new DaxConfigError(
        `mmap of [${hex(vma.start)}, ${hex(vma.end)}) pgoff ${pgoff} flags ${hex(flags)} refused by check_vma: ` +
          `${this.nameOf(MMAP_REFUSALS, reason)} (errno ${core.check_vma_errno(reason)})`,
      );
    }
  }

  /** dax_mmap() of the vma: CHECK_VMA_OK, or check_vma()'s or the mapping's reason (MMAP_REFUSALS), as the
   *  core returns it; a vma the mm or the shared memory refuses is thrown as mmap() throws it. */
  tryMmap(vma: VmaSpec): number {
    // One page more than this vma needs: a vma of the same size moved off alignment (mmap-mix) spans one
    // more slot per level, and the core remaps within the memory it has.
    const pages = Math.min(this.checkVma(vma) + 1, this.limits.maximum);
    const current = this.memory.buffer.byteLength / WASM_PAGE;
    if (pages > current) this.memory.grow(pages - current);
    return this.core.exports.dax_mmap(vma.start, vma.end, vma.pgoff ?? 0n, vma.flags ?? this.defaultVmaFlags());
  }

  defaultVmaFlags(): bigint {
    const flag = (name: CoreConstant) => this.core.bigConstant(name);
    return flag("VM_READ") | flag("VM_WRITE") | flag("VM_SHARED") | flag("VM_MAYSHARE") | flag("VM_DAX");
  }

  /** Picks the protection of alive: the one place a scheme is chosen. */
  setProtection(scheme: string): void {
    if (!(scheme in SCHEME_CODES)) {
      throw new DaxConfigError(
        `protection ${JSON.stringify(scheme)} is not one of ${Object.keys(SCHEME_CODES).join(", ")}`,
      );
    }
    this.core.exports.set_protection(this.core.constant(SCHEME_CODES[scheme as SchemeName]));
  }

  /** Lengthens every fault's read side by about `ns` (a calibrated spin between check_vma and the install). */
  setReadDelay(ns: number): void {
    this.core.exports.set_read_delay(spinsFor(ns, this.core));
  }

  /** Makes every fault pay about `ns` before the dax handler, outside the read side (a calibrated spin): the
   *  kernel's cost of a fault that the model does not run. Hits pay nothing. */
  setFaultCost(ns: number): void {
    this.core.exports.set_fault_cost(spinsFor(ns, this.core));
  }

  /** Makes each kill's grace period last `ns` longer (the updater sleeps inside it): what the kernel's
   *  synchronize_rcu() costs that the model's does not wait for. 0 leaves the model's own cost. */
  setGpCost(ns: number): void {
    this.core.exports.set_gp_cost(BigInt(Math.round(ns)));
  }

  /** Torture's random delays at every step boundary of a fault and of teardown, up to `ns`; 0 turns them off. */
  setRandomDelay(ns: number): void {
    this.core.exports.set_random_delay(spinsFor(ns, this.core));
  }

  /** One SRCU read side in `odds` unlocks on another CPU (torture's migrating readers); 0 for none. */
  setMigration(odds: number): void {
    this.core.exports.set_migration(odds);
  }

  /** Splits the mapped vma among `count` devices, each an equal share, whose read sides enter one SRCU domain
   *  or one each. After mmap(); a vma that does not split into whole entries of the region's alignment is
   *  refused. */
  /** The share of a `size` mapping at `align` that each of `count` devices maps, or 0 where it does not split
   *  into equal shares of whole entries: the core's rule (dax_device_span), asked before anything is mapped. */
  deviceSpan(size: bigint, align: AlignName, count: number): bigint {
    return this.core.exports.dax_device_span(size, ALIGNMENTS[align], count);
  }

  setDevices(count: number, srcuDomain: SrcuDomain): void {
    if (this.core.exports.set_devices(count, srcuDomain === "per-device" ? 1 : 0) !== 0) {
      throw new DaxConfigError(`the mapping does not split into ${count} devices of whole entries of its alignment`);
    }
  }

  /** Rare long read-side delays (rcutorture's: rcutortureReadDelays), or none. */
  setLongDelays(delays: LongReadDelays = NO_LONG_DELAYS): void {
    this.core.exports.set_long_delays(delays.longOdds, BigInt(delays.longNs), delays.shortOdds, BigInt(delays.shortNs));
  }

  /** Whether every install files itself in the Reader Pipe (torture.ts); off, the fault path skips it. */
  setInvariantCheck(enabled: boolean): void {
    this.core.exports.set_invariant_check(enabled ? 1 : 0);
  }

  /** Sets the TLB model's geometry (tlb.ts) and empties every CPU's TLB. */
  setTlbGeometry(geometry: TlbGeometry): void {
    const flat = [
      ...geometry.l1_4k,
      ...geometry.l1_2m,
      ...geometry.l1_1g,
      ...geometry.stlb,
      ...geometry.stlb_1g,
    ] as const;
    if (this.core.exports.tlb_configure(...flat) !== 0) {
      throw new DaxConfigError(
        `TLB geometry ${formatTlbGeometry(geometry)} does not fit: each array needs a power-of-two number of sets, ` +
          `and all ${this.core.constant("TLB_PER_CPU") / 16} entries at most`,
      );
    }
    this.core.exports.tlb_flush_all();
  }

  /** Present entries of dead generations, plus those earlier zaps found: mappings that outlived a kill. */
  staleEntries(): bigint {
    return this.core.exports.count_stale_entries();
  }

  /** Torture's census (count_unaccounted_installs): installs counted minus the entries they made, zapped or
   *  still present; anything but 0 means an install landed on another's entry, or an entry went uncounted. */
  unaccountedInstalls(): bigint {
    return this.core.exports.count_unaccounted_installs();
  }

  /** CPU `cpu`'s counters (Stats), read from its lines of the shared memory. */
  stats(cpu: number): Stats {
    const words = new BigUint64Array(this.memory.buffer);
    const line = (this.core.constant("STATS") + cpu * this.core.constant("STATS_STRIDE")) / 8;
    const slot = (constant: CoreConstant, at = line) => words[at + this.core.constant(constant)];
    const stats = {} as Stats;
    for (const [name, constant] of Object.entries(STAT_SLOTS)) stats[name as keyof typeof STAT_SLOTS] = slot(constant);
    const reasons = line + this.core.constant("STATS_SIGBUS_OFFSET") / 8;
    for (const [name, constant] of Object.entries(SIGBUS_REASONS))
      stats[`sigbus_${name as keyof typeof SIGBUS_REASONS}`] = slot(constant, reasons);
    const pipe = line + this.core.constant("STATS_PIPE_OFFSET") / 8;
    for (let stage = 0; stage < this.core.constant("PIPE_LENGTH"); stage++)
      stats[`pipe_${stage}`] = words[pipe + stage];
    stats.poison_reads = words[line + this.core.constant("STATS_POISON_OFFSET") / 8];
    stats.mmaps_rejected = words[line + this.core.constant("STATS_MMAP_REJECTED_OFFSET") / 8];
    stats.alive_seen = words[line + this.core.constant("STATS_ALIVE_SEEN_OFFSET") / 8];
    stats.fault_costs_paid = words[line + this.core.constant("STATS_FAULT_COSTS_OFFSET") / 8];
    stats.long_delays = words[line + this.core.constant("STATS_LONG_DELAYS_OFFSET") / 8];
    stats.short_delays = words[line + this.core.constant("STATS_SHORT_DELAYS_OFFSET") / 8];
    stats.migrations = words[line + this.core.constant("STATS_MIGRATIONS_OFFSET") / 8];
    const tlb = line + this.core.constant("STATS_TLB_OFFSET") / 8;
    for (const [name, constant] of Object.entries(TLB_SLOTS))
      stats[`tlb_${name as keyof typeof TLB_SLOTS}`] = slot(constant, tlb);
    stats.violations = this.core.exports.per_cpu_violations(cpu);
    return stats;
  }

  /** The counters of several CPUs added up. */
  totalStats(cpus: Iterable<number>): Stats {
    let total: Stats | undefined;
    for (const cpu of cpus) total = total ? addStats(total, this.stats(cpu)) : this.stats(cpu);
    return total ?? ({} as Stats);
  }

  /** How many CPUs the grace periods scan: one more than the highest CPU attached since the workers were
   *  last forgotten (the kernel's nr_cpu_ids). */
  cpusInUse(): number {
    return this.core.exports.nr_cpu_ids();
  }

  /** The workers have exited: scans cover CPU 0 alone again, until the next workers attach. Call it only when
   *  no worker is left, or a grace period would miss its read sides. */
  forgetWorkerCpus(): void {
    this.core.exports.forget_other_cpus();
  }
}
