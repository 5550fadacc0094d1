// Boots the guest under QEMU and returns what its serial console said. The guest runs under `timeout`, with
// -no-reboot and panic=-1 oops=panic, so that a kernel bug ends the run instead of hanging it; an abort
// (Ctrl-C) kills it. Which accelerator: KVM only where the CPU offers hardware virtualization (vmx or svm)
// and /dev/kvm opens, since a nested hypervisor without it emulates a stock kernel far slower than QEMU's own
// TCG does; otherwise TCG, whose times are emulated and published as ratios only.

import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import type { GuestKernel } from "./image.ts";
import type { AlignName } from "../types.ts";

export const ACCELERATORS = ["auto", "kvm", "tcg"] as const;
export type AcceleratorChoice = (typeof ACCELERATORS)[number];
export type Accelerator = Exclude<AcceleratorChoice, "auto">;

/** Why KVM is or is not used here, in a line, and the accelerator "auto" picks. */
export function pickAccelerator(): { accel: Accelerator; why: string } {
  let flags = "";
  try {
    flags = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    /* not Linux: no KVM */
  }
  const hardware = /^flags\s*:.*\b(vmx|svm)\b/m.test(flags);
  let device = true;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    device = false;
  }
  if (hardware && device) return { accel: "kvm", why: "KVM: the CPU has hardware virtualization and /dev/kvm opens" };
  const missing = [!hardware && "the CPU shows no vmx/svm", !device && "/dev/kvm does not open"].filter(Boolean);
  return { accel: "tcg", why: `TCG (QEMU's emulation): ${missing.join(", ")}` };
}

/** The namespace alignments the guest makes (a 1 GiB one would not fit the 1 GiB region's namespace). */
export const GUEST_ALIGNS = ["4k", "2m"] as const satisfies readonly AlignName[];
/** The probe's steps, by the names init.sh runs them under. */
export const GUEST_STEPS = ["faults", "rules", "race"] as const;

/** What the guest's init runs: read from the kernel command line (bench/guest/init.sh's param). */
export interface GuestPlan {
  aligns: number[];
  steps: string[];
  faultBytes: number;
  repeat: number;
  raceBytes: number;
  rounds: number;
  seed: number;
  /** Run, last, the cases that oops some kernels (re-opening the device while it is unbound). */
  oopsCases: boolean;
}

export interface BootSpec {
  kernel: GuestKernel;
  initramfs: string;
  accel: Accelerator;
  cpus: number;
  timeoutSeconds: number;
  /** The guest is stopped when its init has not spoken by then (a KVM that emulates instead of running). */
  initDeadlineSeconds?: number;
  plan: GuestPlan;
}

/** The guest's RAM and its pmem: e820 memory marked persistent by memmap=1G!1G, 1 GiB at 1 GiB. */
const GUEST_MEMORY = "2560M";
const PMEM = "memmap=1G!1G";

export function kernelCommandLine(plan: GuestPlan): string {
  return [
    "console=ttyS0",
    PMEM,
    "panic=-1",
    "oops=panic",
    "loglevel=4",
    `daxbench.align=${plan.aligns.join(",")}`,
    `daxbench.steps=${plan.steps.join(",")}`,
    `daxbench.fault_bytes=${plan.faultBytes}`,
    `daxbench.repeat=${plan.repeat}`,
    `daxbench.race_bytes=${plan.raceBytes}`,
    `daxbench.rounds=${plan.rounds}`,
    `daxbench.seed=${plan.seed}`,
    `daxbench.oops_cases=${plan.oopsCases ? 1 : 0}`,
  ].join(" ");
}

export function qemuArgs(spec: BootSpec): string[] {
  const accel =
    spec.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "max"];
  return [
    "-machine",
    "pc",
    ...accel,
    "-smp",
    String(spec.cpus),
    "-m",
    GUEST_MEMORY,
    "-nographic",
    "-no-reboot",
    "-kernel",
    spec.kernel.vmlinux,
    "-initrd",
    spec.initramfs,
    "-append",
    kernelCommandLine(spec.plan),
  ];
}

export interface BootResult {
  console: string;
  /** The guest was stopped by `timeout` before it powered off. */
  timedOut: boolean;
  /** QEMU's exit status (0: the guest powered off, or panicked and did not reboot). */
  status: number;
  /** The guest's init printed its first line; false when initDeadlineSeconds stopped it before. */
  reachedInit: boolean;
}

/** Runs the guest to its end; `onLine` sees each console line as it comes (progress). */
export function boot(spec: BootSpec, onLine: (line: string) => void, signal?: AbortSignal): Promise<BootResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "timeout",
      ["--kill-after=10", String(spec.timeoutSeconds), "qemu-system-x86_64", ...qemuArgs(spec)],
      { stdio: ["ignore", "pipe", "pipe"], signal },
    );
    let console = "";
    let partial = "";
    let reachedInit = false;
    let stoppedEarly = false;
    const deadline =
      spec.initDeadlineSeconds === undefined
        ? undefined
        : setTimeout(() => {
            if (reachedInit) return;
            stoppedEarly = true;
            child.kill("SIGTERM");
          }, spec.initDeadlineSeconds * 1000);
    child.stdout.setEncoding("latin1");
    child.stdout.on("data", (chunk: string) => {
      console += chunk;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        reachedInit ||= line.includes("@dax kernel ");
        onLine(line);
      }
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(deadline);
      if (signal?.aborted) return reject(signal.reason);
      if (stoppedEarly) return resolve({ console, timedOut: false, status: code ?? 1, reachedInit: false });
      // timeout exits 124 when it stopped the command (137 when it had to kill it).
      const timedOut = code === 124 || code === 137;
      if (code !== 0 && !timedOut && console === "")
        return reject(new Error(`qemu-system-x86_64 failed: ${stderr.trim().split("\n").pop()}`));
      resolve({ console, timedOut, status: code ?? 1, reachedInit });
    });
  });
}
