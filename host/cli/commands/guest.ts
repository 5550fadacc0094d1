// `daxbench guest`: the real Device-DAX driver in a guest kernel under QEMU, beside the model. Faults per page
// of the alignment, the driver's rules against the model's, and the teardown race, from one command; a
// machine without QEMU and the rest is told what to install and skipped, with status 0.

import { DaxMachine } from "../../machine/dax.ts";
import { boot, pickAccelerator, type Accelerator } from "../../guest/boot.ts";
import {
  buildInitramfs,
  fetchKernel,
  installPackages,
  kernelPackage,
  missingPackages,
  SETUP_COMMAND,
} from "../../guest/image.ts";
import { parseGuestOutput } from "../../guest/probe-output.ts";
import { compareRules } from "../../guest/rules.ts";
import { alignFaults, guestRows, guestVerdict } from "../../guest/results.ts";
import { acceleratorLine, guestMarkdown, renderGuest, type GuestReport } from "../../export/guest.ts";
import { runMetadata } from "../../results/metadata.ts";
import { Progress } from "../../print/progress.ts";
import { defaultOutPath, formatsOption, guestOptions, type GuestArgs } from "../options.ts";
import { interruptible } from "../interrupt.ts";
import { println, type Io } from "../io.ts";
import { resultFileOptions, ResultsOutput, rowCount } from "../output.ts";
import { EXIT, type Command } from "../command.ts";

/** How long a KVM boot may take to reach the guest's init (TCG takes 4-6 s here) before it is taken for an
 *  emulating hypervisor. */
const KVM_INIT_DEADLINE_S = 60;

interface GuestCommandArgs extends GuestArgs {
  install: boolean;
  out?: string;
  format: string[];
  quiet: boolean;
}

export const guestCommand: Command<GuestCommandArgs> = {
  usage: "guest",
  describe:
    "the real Device-DAX driver in a guest kernel under QEMU: its faults, its rules against the model's, and " +
    "the teardown race",
  options: (y) =>
    resultFileOptions(y, "guest")
      .option("install", {
        type: "boolean",
        default: false,
        describe:
          "root, Debian/Ubuntu: install QEMU, busybox-static, ndctl and a C compiler with apt-get, fetch " +
          "the guest kernel, build the guest, and stop (npm run guest:setup)",
      })
      .option("align", { type: "string", array: true, default: ["4k,2m"], describe: "namespace alignments" })
      .option("steps", {
        type: "string",
        array: true,
        default: ["faults,rules,race"],
        describe: "faults (per page, populate, hit), rules (model against driver), race (unbind under readers)",
      })
      .option("size", { type: "string", default: "256m", describe: "the fault passes' mapping" })
      .option("repeat", { type: "string", default: "5", describe: "fault passes of each kind, after one warm-up" })
      .option("rounds", { type: "string", default: "20", describe: "race rounds: map, race an unbind, rebind" })
      .option("race-size", { type: "string", default: "32m", describe: "the race's mapping" })
      .option("seed", { type: "string", default: "1", describe: "the race readers' random pages" })
      .option("accel", { type: "string", default: "auto", describe: "auto, kvm or tcg (auto: KVM only with vmx/svm)" })
      .option("cpus", { type: "string", default: "2", describe: "the guest's vCPUs (a race reader on each)" })
      .option("oops-cases", {
        type: "boolean",
        default: false,
        describe:
          "also run, last, the cases that oops some kernels (6.1: re-opening the device while it is unbound, " +
          "then mmap); their bug reports are findings",
      })
      .option("timeout", { type: "string", default: "10m", describe: "the guest is stopped after this long" })
      .option("quiet", { type: "boolean", default: false, describe: "print the verdict only" })
      .example("$0 guest --align 2m --steps race --rounds 50", "the teardown race, 50 rounds on a 2 MiB namespace"),
  run: guest,
};

async function guest(args: GuestCommandArgs, io: Io): Promise<number> {
  const options = guestOptions(args);
  const formats = formatsOption(args.out, args.format);
  const meta = runMetadata();
  const output = ResultsOutput.perFormat(args.out ?? defaultOutPath(new Date(meta.started_at), "guest"), formats);
  if (!args.install) output.checkWritable();
  const say = (line: string) => println(io.stderr, `daxbench guest: ${line}`);

  if (args.install) {
    if (process.getuid?.() !== 0) {
      say(`--install needs root: run it as root (sudo ${SETUP_COMMAND.split(" (")[0]})`);
      return EXIT.failed;
    }
    installPackages(say);
  }
  const missing = missingPackages();
  if (missing.length) {
    say(`skipped: ${missing.join(", ")} not installed; get them with ${SETUP_COMMAND}`);
    return EXIT.ok;
  }
  const pkg = kernelPackage();
  if (!pkg) {
    say("skipped: apt knows no linux-image-amd64 to boot (a Debian or Ubuntu machine with apt-get update done)");
    return EXIT.ok;
  }
  const kernel = fetchKernel(pkg, say);
  const initramfs = buildInitramfs(kernel);
  if (args.install) {
    say(`ready: ${pkg.pkg} ${pkg.version} and its initramfs in ${initramfs.replace(/\/[^/]+$/, "")}`);
    return EXIT.ok;
  }

  const picked = options.accel === "auto" ? pickAccelerator() : undefined;
  if (picked) say(picked.why);
  let accel: Accelerator = picked?.accel ?? (options.accel as Accelerator);
  const progress = new Progress(io.stderr);
  const spec = { kernel, initramfs, cpus: options.cpus, timeoutSeconds: options.timeoutSeconds, plan: options.plan };
  const onLine = (line: string) => {
    const step = /@dax (namespace|step|race) (.*)/.exec(line);
    if (step && !args.quiet) progress.update(`guest ${step[1]} ${step[2].slice(0, 60)}`);
  };
  const run = await interruptible(async (signal) => {
    // KVM chosen by itself must prove it runs the guest at speed: a boot that has not reached init in time is
    // a hypervisor emulating, and the run falls back to TCG.
    const autoKvm = options.accel === "auto" && accel === "kvm";
    const first = await boot(
      { ...spec, accel, initDeadlineSeconds: autoKvm ? KVM_INIT_DEADLINE_S : undefined },
      onLine,
      signal,
    );
    if (first.reachedInit || !autoKvm) return first;
    say(`KVM did not reach the guest's init in ${KVM_INIT_DEADLINE_S} s: falling back to TCG`);
    accel = "tcg";
    return boot({ ...spec, accel }, onLine, signal);
  });
  progress.clear();
  if (run.interrupted) {
    println(io.stderr, `daxbench: interrupted${run.cause}; nothing written`);
    return run.status;
  }
  const console = parseGuestOutput(run.value.console);
  const rules = compareRules(new DaxMachine(), console);
  const report: GuestReport = {
    accel,
    output: console,
    rules,
    verdict: guestVerdict(console, alignFaults(console), rules, run.value.timedOut),
    rows: guestRows(console, rules, { accel, meta }),
  };
  if (report.rows.length > 0 || output.toStdout) output.finish(io.stdout, (format) => renderGuest(format, report));
  const print = output.screen(io);
  if (args.quiet) println(print, acceleratorLine(accel, console.release));
  else println(print, guestMarkdown(report).trimEnd());
  const wrote = report.rows.length > 0 ? output.wrote(rowCount(report.rows.length)) : undefined;
  if (wrote) println(print, wrote);
  if (args.quiet) println(print, report.verdict.outcome);
  return report.verdict.outcome === "SUCCESS" ? EXIT.ok : EXIT.failed;
}
