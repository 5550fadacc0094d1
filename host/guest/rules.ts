// The model's rules against the real driver's: each case userspace can reach of check_vma() and the fault
// handler, as bench/guest/dax-probe.c tries it on /dev/dax0.0 in the guest, and as the model answers the same
// case through dax_mmap() and its fault path (assembly/vma.ts, fault.ts). The model's documented choices are
// the reference; each case names the kernel rule both follow and which kernels have it.

import { ALIGNMENTS, DaxMachine, PHYS_BASE, USER_BASE, type VmaSpec } from "../machine/dax.ts";
import type { CoreConstant } from "../machine/core.ts";
import type { GuestOutput } from "./probe-output.ts";

const PAGE = 4096n;

/** What a case gave: mmap's errno by name ("0": mapped), the touch's signal ("none", "SIGBUS"; "-" when
 *  nothing was mapped), the bytes the touch's entry maps (0 without one). The probe prints the same words. */
export interface RuleAnswer {
  mmap: string;
  touch: string;
  entry: number;
}

interface ModelSteps {
  machine: DaxMachine;
  align: bigint;
  /** The device's size, as the guest's namespace has it. */
  bytes: bigint;
}

export interface RuleCase {
  /** The probe's name for the case. */
  name: string;
  /** Only on a region aligned above 4 KiB: a 4 KiB misalignment cannot be asked of mmap. */
  hugeOnly: boolean;
  /** The rule, and the kernels that have it. */
  rule: string;
  /** The model's answer. */
  model: (steps: ModelSteps) => RuleAnswer;
}

/** Errno names of the numbers check_vma_errno() returns (negated). */
const ERRNO_NAMES: Record<number, string> = { 6: "ENXIO", 12: "ENOMEM", 22: "EINVAL", 75: "EOVERFLOW" };

const flag = (machine: DaxMachine, name: CoreConstant) => machine.core.bigConstant(name);

/** mmap of `vma` in the model, then, when it maps, one touch of its first page and the entry that installed. */
function mapAndTouch({ machine }: ModelSteps, vma: VmaSpec, beforeTouch: () => void = () => {}): RuleAnswer {
  const reason = machine.tryMmap(vma);
  if (reason !== machine.core.constant("CHECK_VMA_OK")) {
    const errno = -machine.core.exports.check_vma_errno(reason);
    return { mmap: ERRNO_NAMES[errno] ?? String(errno), touch: "-", entry: 0 };
  }
  beforeTouch();
  return touchFirstPage(machine);
}

function touchFirstPage(machine: DaxMachine): RuleAnswer {
  const before = machine.stats(0);
  machine.core.exports.populate(0n, PAGE);
  const after = machine.stats(0);
  const sigbus = after.sigbus > before.sigbus;
  const entry =
    after.pud_installs > before.pud_installs
      ? ALIGNMENTS["1g"]
      : after.pmd_installs > before.pmd_installs
        ? ALIGNMENTS["2m"]
        : after.pte_installs > before.pte_installs
          ? PAGE
          : 0n;
  return { mmap: "0", touch: sigbus ? "SIGBUS" : "none", entry: Number(entry) };
}

/** A shared, writable vma of `bytes` at USER_BASE + `shift`, at file offset `offset`. */
const sharedVma = (bytes: bigint, shift = 0n, offset = 0n): VmaSpec => ({
  start: USER_BASE + shift,
  end: USER_BASE + shift + bytes,
  pgoff: offset / PAGE,
});

export const RULE_CASES: readonly RuleCase[] = [
  {
    name: "aligned",
    hugeOnly: false,
    rule: "dev_dax_huge_fault: one entry of the region's alignment per fault, a pmd on 2 MiB, a pte on 4 KiB (4.7 on)",
    model: (s) => mapAndTouch(s, sharedVma(2n * s.align)),
  },
  {
    name: "misaligned-start",
    hugeOnly: true,
    rule: "check_vma: vm_start not a multiple of the alignment: unaligned vma, EINVAL (4.7 on)",
    model: (s) => mapAndTouch(s, sharedVma(s.align, PAGE)),
  },
  {
    name: "misaligned-length",
    hugeOnly: true,
    rule: "check_vma: vm_end not a multiple of the alignment: unaligned vma, EINVAL (4.7 on)",
    model: (s) => mapAndTouch(s, sharedVma(s.align + PAGE)),
  },
  {
    name: "private",
    hugeOnly: false,
    rule: "check_vma: without VM_MAYSHARE, a private mapping: EINVAL (4.7 refused a writable one without VM_SHARED)",
    model: (s) =>
      mapAndTouch(s, {
        ...sharedVma(s.align),
        flags: flag(s.machine, "VM_READ") | flag(s.machine, "VM_WRITE") | flag(s.machine, "VM_DAX"),
      }),
  },
  {
    name: "offset-past-end",
    hugeOnly: false,
    rule: "mmap does not check the device's size; the fault's pgoff_to_phys finds no range: SIGBUS (4.7 on)",
    model: (s) => mapAndTouch(s, sharedVma(s.align, 0n, ((s.bytes + s.align - 1n) / s.align) * s.align)),
  },
  {
    name: "read-only-shared",
    hugeOnly: false,
    rule: "check_vma: a read-only fd's shared mapping keeps VM_MAYSHARE: mapped, faulted as any (4.8 on)",
    model: (s) =>
      mapAndTouch(s, {
        ...sharedVma(s.align),
        flags: flag(s.machine, "VM_READ") | flag(s.machine, "VM_MAYSHARE") | flag(s.machine, "VM_DAX"),
      }),
  },
  {
    name: "disabled-touch",
    hugeOnly: false,
    rule:
      "a touch after the device is disabled: the fault's check_vma finds !dax_alive under the read lock: SIGBUS " +
      "(4.7: rcu_read_lock; 4.12 on: dax_read_lock, SRCU)",
    model: (s) => mapAndTouch(s, sharedVma(s.align), () => s.machine.core.exports.kill_dev_dax()),
  },
  {
    name: "disabled-mmap",
    hugeOnly: false,
    rule:
      "mmap after the device is disabled, on a descriptor opened before: check_vma finds !dax_alive: ENXIO " +
      "(4.7 on)",
    model: (s) => {
      s.machine.core.exports.kill_dev_dax();
      return mapAndTouch(s, sharedVma(s.align));
    },
  },
];

/** The cases the probe tries on a region of `align` bytes. */
export function ruleCasesFor(align: number): readonly RuleCase[] {
  return RULE_CASES.filter((c) => !c.hugeOnly || BigInt(align) > PAGE);
}

/** The model's answer to one case on a device of `bytes` aligned to `align`: a fresh device each time, read
 *  side rcu (the 2016 patch's). */
export function modelAnswer(machine: DaxMachine, ruleCase: RuleCase, align: number, bytes: number): RuleAnswer {
  const alignBig = BigInt(align);
  const size = (BigInt(bytes) / alignBig) * alignBig;
  machine.createDevice({ align: alignBig, extents: [{ start: PHYS_BASE, end: PHYS_BASE + size - 1n }] });
  machine.setProtection("rcu");
  return ruleCase.model({ machine, align: alignBig, bytes: size });
}

/** One case, both answers. `driver` is undefined when the guest gave no answer for a case it should have. */
export interface RuleComparison {
  case: RuleCase;
  align: number;
  driver: RuleAnswer | undefined;
  model: RuleAnswer;
  agree: boolean;
}

const sameAnswer = (a: RuleAnswer, b: RuleAnswer) => a.mmap === b.mmap && a.touch === b.touch && a.entry === b.entry;

/** Every case the probe should have tried on each namespace its rules step ran on, the driver's answer
 *  against the model's. */
export function compareRules(machine: DaxMachine, output: GuestOutput): RuleComparison[] {
  const ran = new Set(output.steps.filter((step) => step.name === "rules").map((step) => step.align));
  const driverRules = output.rules;
  return output.namespaces
    .filter(({ align }) => ran.has(align))
    .flatMap(({ align, bytes }) =>
      ruleCasesFor(align).map((ruleCase) => {
        const found = driverRules.find((r) => r.align === align && r.case === ruleCase.name);
        const driver = found && { mmap: found.mmap, touch: found.touch, entry: found.entry };
        const model = modelAnswer(machine, ruleCase, align, bytes);
        return { case: ruleCase, align, driver, model, agree: driver !== undefined && sameAnswer(driver, model) };
      }),
    );
}
