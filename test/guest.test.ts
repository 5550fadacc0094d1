// daxbench guest without a guest: the console's lines read into records, the model's answer to each case of
// the driver's rules (held to what the real 6.1 driver answered in a guest), the verdict, the Markdown that
// never shows an emulated time as one, and the refusals. test/slow/guest.test.ts boots the guest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daxbench, daxbenchWith } from "./daxbench.ts";
import { parseGuestOutput, type GuestOutput } from "../host/guest/probe-output.ts";
import { compareRules, RULE_CASES } from "../host/guest/rules.ts";
import { alignFaults, guestRows, guestVerdict, populateRatio } from "../host/guest/results.ts";
import { guestMarkdown } from "../host/export/guest.ts";
import { kernelCommandLine } from "../host/guest/boot.ts";
import { DaxMachine } from "../host/machine/dax.ts";
import { runMetadata } from "../host/results/metadata.ts";

const MiB = 1024 * 1024;
const NAMESPACE = 1006 * MiB;

/** What the real driver of Debian's 6.1.0-57 kernel answered in the guest, case by case (a run of
 *  `daxbench guest` on 2026-12-07). */
const DRIVER_6_1 = [
  "@dax rule case=aligned align=4096 mmap=0 touch=none entry=4096",
  "@dax rule case=private align=4096 mmap=EINVAL touch=- entry=0",
  "@dax rule case=offset-past-end align=4096 mmap=0 touch=SIGBUS entry=0",
  "@dax rule case=read-only-shared align=4096 mmap=0 touch=none entry=4096",
  "@dax rule case=disabled-touch align=4096 mmap=0 touch=SIGBUS entry=0",
  "@dax rule case=disabled-mmap align=4096 mmap=ENXIO touch=- entry=0",
  "@dax rule case=aligned align=2097152 mmap=0 touch=none entry=2097152",
  "@dax rule case=misaligned-start align=2097152 mmap=EINVAL touch=- entry=0",
  "@dax rule case=misaligned-length align=2097152 mmap=EINVAL touch=- entry=0",
  "@dax rule case=private align=2097152 mmap=EINVAL touch=- entry=0",
  "@dax rule case=offset-past-end align=2097152 mmap=0 touch=SIGBUS entry=0",
  "@dax rule case=read-only-shared align=2097152 mmap=0 touch=none entry=2097152",
  "@dax rule case=disabled-touch align=2097152 mmap=0 touch=SIGBUS entry=0",
  "@dax rule case=disabled-mmap align=2097152 mmap=ENXIO touch=- entry=0",
  "@dax step name=rules align=4096 status=0",
  "@dax step name=rules align=2097152 status=0",
];

/** A console as the guest prints it: firmware and kernel lines around the probe's. */
function consoleOf(probeLines: string[], { ended = true } = {}): string {
  return [
    "SeaBIOS (version 1.16.2-debian-1.16.2-1)",
    "Booting from ROM..@dax kernel release=6.1.0-57-amd64 cpus=2",
    "[    1.234567] nd_pmem namespace0.0: unable to guarantee persistence of writes",
    `@dax namespace align=4096 bytes=${NAMESPACE}`,
    `@dax namespace align=2097152 bytes=${NAMESPACE}`,
    ...probeLines,
    ...(ended ? ["@dax end", "[    9.0] reboot: Power down"] : []),
  ].join("\r\n");
}

/** Fault passes of 64 MiB with the faults the driver guarantees (size / align); rep 0 the warm-up. */
function faultLines(faultsOf = (align: number) => (64 * MiB) / align): string[] {
  return [4096, 2 * MiB].flatMap((align) =>
    [0, 1, 2].flatMap((rep) => [
      `@dax fault case=fault align=${align} bytes=${64 * MiB} touches=${(64 * MiB) / align} ` +
        `faults=${faultsOf(align) + (rep === 0 ? 1 : 0)} elapsed_ns=${align === 4096 ? 60e6 : 3e6} rep=${rep}`,
      `@dax fault case=populate align=${align} bytes=${64 * MiB} touches=16384 faults=${faultsOf(align)} ` +
        `elapsed_ns=${align === 4096 ? 62e6 + rep : 3.1e6 + rep} rep=${rep}`,
    ]),
  );
}

const raceLine = (round: number, violations = 0, notSigbus = 0) =>
  `@dax race round=${round} align=2097152 readers=2 accesses=3000 after=700 violations=${violations} sigbus=2300 ` +
  `pages=16 pages_not_sigbus=${notSigbus} unbind_ns=50000000 first_sigbus_ns=1000000`;

function judge(output: GuestOutput, timedOut = false) {
  const rules = compareRules(new DaxMachine(), output);
  return { rules, verdict: guestVerdict(output, alignFaults(output), rules, timedOut) };
}

test("the guest's console is read into records, with the kernel's bug reports and the steps that failed", () => {
  const output = parseGuestOutput(
    consoleOf([
      ...faultLines(),
      raceLine(1),
      "[    5.1] BUG: kernel NULL pointer dereference, address 0000000000000008",
      "@dax step name=rules align=4096 status=139",
      "@dax fault case=sideways align=4096 bytes=1 touches=1 faults=1 elapsed_ns=1 rep=1",
      "@dax race round=x",
    ]),
  );
  assert.equal(output.release, "6.1.0-57-amd64", "a line glued to the firmware's is still read");
  assert.equal(output.cpus, 2);
  assert.deepEqual(output.namespaces, [
    { align: 4096, bytes: NAMESPACE },
    { align: 2 * MiB, bytes: NAMESPACE },
  ]);
  assert.equal(output.faults.length, 12);
  assert.deepEqual(output.races[0], {
    round: 1,
    align: 2 * MiB,
    readers: 2,
    accesses: 3000,
    after: 700,
    violations: 0,
    sigbus: 2300,
    pages: 16,
    pagesNotSigbus: 0,
    unbindNs: 50e6,
    firstSigbusNs: 1e6,
  });
  assert.deepEqual(output.oops, ["[    5.1] BUG: kernel NULL pointer dereference, address 0000000000000008"]);
  assert.equal(output.failures.length, 3, output.failures.join("\n"));
  assert.match(output.failures[0], /step rules at align 4096 exited 139/);
  assert.match(output.failures[1], /case=sideways is not a fault case/);
  assert.match(output.failures[2], /unreadable line from the guest: no \w+= in "@dax race round=x"/);
  assert.equal(output.ended, true);
  assert.equal(parseGuestOutput(consoleOf([], { ended: false })).ended, false);
});

test("the model answers every case of the driver's rules as the real 6.1 driver did", () => {
  const output = parseGuestOutput(consoleOf(DRIVER_6_1));
  const { rules, verdict } = judge(output);
  assert.equal(rules.length, DRIVER_6_1.length - 2, "every case at each alignment, the misaligned ones at 2m only");
  for (const r of rules) assert.ok(r.agree, `${r.case.name} at ${r.align}: ${JSON.stringify(r)}`);
  assert.deepEqual(verdict, { outcome: "SUCCESS", reasons: [] });
  assert.deepEqual(
    RULE_CASES.map((c) => c.name),
    [
      "aligned",
      "misaligned-start",
      "misaligned-length",
      "private",
      "offset-past-end",
      "read-only-shared",
      "disabled-touch",
      "disabled-mmap",
    ],
  );
});

test("a driver answer the model does not give, or none, fails the run naming the case", () => {
  const flipped = DRIVER_6_1.map((line) =>
    line.includes("case=private align=2097152")
      ? "@dax rule case=private align=2097152 mmap=0 touch=none entry=2097152"
      : line,
  ).filter((line) => !line.includes("case=disabled-mmap align=4096"));
  const { rules, verdict } = judge(parseGuestOutput(consoleOf(flipped)));
  assert.deepEqual(
    rules.filter((r) => !r.agree).map((r) => `${r.case.name} ${r.align}`),
    ["disabled-mmap 4096", "private 2097152"],
  );
  assert.equal(verdict.outcome, "FAILURE");
  assert.deepEqual(verdict.reasons, [
    "rule disabled-mmap at align 4096: the driver gave no answer, the model mmap ENXIO",
    "rule private at align 2097152: the driver gave mmap 0, touch none, entry 2097152, the model mmap EINVAL",
  ]);
});

test("the run fails on a fault count but size / align, an access after the disable, a page left, or a cut", () => {
  const good = parseGuestOutput(consoleOf([...faultLines(), raceLine(1), raceLine(2)]));
  assert.equal(judge(good).verdict.outcome, "SUCCESS");
  const faults = alignFaults(good);
  assert.deepEqual(
    faults.map((f) => [f.align, f.expectedFaults, f.faultPassFaults, f.populateFaults]),
    [
      [4096, 16384, [16384], [16384]],
      [2 * MiB, 32, [32], [32]],
    ],
    "the warm-up's extra fault is not a measured pass",
  );
  assert.ok(Math.abs(populateRatio(faults)! - 62e6 / 3.1e6) < 0.01);

  const extra = parseGuestOutput(consoleOf(faultLines((align) => (64 * MiB) / align + (align === 4096 ? 0 : 1))));
  assert.deepEqual(judge(extra).verdict.reasons, [
    `align ${2 * MiB}: faults per pass 33, 33, not 32 (${64 * MiB} / ${2 * MiB})`,
  ]);
  assert.deepEqual(judge(parseGuestOutput(consoleOf([raceLine(1), raceLine(2, 3, 1)]))).verdict.reasons, [
    `race at align ${2 * MiB}: 3 accesses after the disable went through`,
    `race at align ${2 * MiB}: 1 pages did not SIGBUS afterwards`,
  ]);
  assert.deepEqual(judge(parseGuestOutput(consoleOf([], { ended: false }))).verdict.reasons, [
    "the guest stopped before its last step (see its console)",
  ]);
  assert.deepEqual(judge(parseGuestOutput(consoleOf([], { ended: false })), true).verdict.reasons, [
    "the guest did not finish before --timeout",
  ]);
});

test("under TCG no time is printed as one; under KVM the disable's time is; the rows say which ran", () => {
  const output = parseGuestOutput(consoleOf([...faultLines(), raceLine(1)]));
  const { rules, verdict } = judge(output);
  const rows = guestRows(output, rules, { accel: "tcg", meta: runMetadata() });
  const report = (accel: "tcg" | "kvm") => guestMarkdown({ accel, output, rules, verdict, rows });
  const tcg = report("tcg");
  assert.match(tcg, /under QEMU's TCG emulation: .* times are given as ratios only/);
  assert.doesNotMatch(tcg, /\d\s?(ns|us|µs|ms)\b/, "no emulated time printed as a time");
  assert.match(tcg, /\| 4k \| 64m \| 16,384 \| 16,384 \| 16,384 \| 20\.00× the 2 MiB namespace's \|/);
  assert.match(tcg, /populate of 4 KiB pages over 2 MiB pages, per GiB: 20\.0×/);
  assert.match(report("kvm"), /\| disable, median \|/);
  assert.match(report("kvm"), /\| 50(\.0)? ?ms \|/);
  assert.deepEqual(new Set(rows.map((r) => r.accel)), new Set(["tcg"]));
  assert.deepEqual(new Set(rows.map((r) => r.guest_kernel)), new Set(["6.1.0-57-amd64"]));
  assert.equal(rows.filter((r) => r.step === "fault").length, 12);
});

test("ftrace's teardown functions are read per alignment and given as shares of the rounds' unbind time", () => {
  const output = parseGuestOutput(
    consoleOf([
      raceLine(1),
      raceLine(2),
      "@dax trace align=2097152 function=synchronize_srcu calls=2 total_ns=2000000",
      "@dax trace align=2097152 function=kill_dax calls=2 total_ns=2500000",
    ]),
  );
  assert.deepEqual(output.traces[1], { align: 2 * MiB, function: "kill_dax", calls: 2, totalNs: 2.5e6 });
  const { rules, verdict } = judge(output);
  const report = guestMarkdown({ accel: "tcg", output, rules, verdict, rows: [] });
  // Two rounds of a 50 ms unbind: 2.5 ms in kill_dax is 2.5% of it.
  assert.match(report, /\| kill_dax 2\.5%, synchronize_srcu 2\.0% \|/);
  const rows = guestRows(output, rules, { accel: "tcg", meta: runMetadata() }).filter((r) => r.step === "trace");
  assert.deepEqual(
    rows.map((r) => [r.case, r.calls, r.guest_clock_ns]),
    [
      ["synchronize_srcu", 2, 2e6],
      ["kill_dax", 2, 2.5e6],
    ],
  );
});

test("a case asked with --oops-cases that oopses the kernel is reported, its lines and the kernel named", () => {
  // What the 6.1.0-57 guest printed for reopen-unbound: the open succeeded, the mmap never returned.
  const output = parseGuestOutput(
    consoleOf(
      [
        "@dax oops-case case=reopen-unbound step=open result=0",
        "[    3.095993] BUG: kernel NULL pointer dereference, address: 0000000000000008",
        "[    3.097146] RIP: 0010:check_vma+0x1d/0xb0 [device_dax]",
        "[    3.097146] Kernel panic - not syncing: Fatal exception",
      ],
      { ended: false },
    ),
  );
  assert.deepEqual(output.oopsCases, [{ case: "reopen-unbound", step: "open", result: "0" }]);
  assert.equal(output.oops.length, 3);
  const { rules, verdict } = judge(output);
  assert.deepEqual(verdict.reasons, [
    "the guest kernel 6.1.0-57-amd64 reported a bug: " +
      "[    3.095993] BUG: kernel NULL pointer dereference, address: 0000000000000008",
  ]);
  const rows = guestRows(output, rules, { accel: "tcg", meta: runMetadata() });
  assert.deepEqual(
    rows.filter((r) => r.step.toString().startsWith("oops")).map((r) => [r.step, r.case, r.mmap, r.kernel_report]),
    [
      ["oops-case", "reopen-unbound open", "0", ""],
      ["oops", "", "", "[    3.095993] BUG: kernel NULL pointer dereference, address: 0000000000000008"],
      ["oops", "", "", "[    3.097146] RIP: 0010:check_vma+0x1d/0xb0 [device_dax]"],
      ["oops", "", "", "[    3.097146] Kernel panic - not syncing: Fatal exception"],
    ],
  );
  const report = guestMarkdown({ accel: "tcg", output, rules, verdict, rows });
  assert.match(
    report,
    /## The guest kernel's bug reports \(6\.1\.0-57-amd64\)\n\n- asked \(--oops-cases\): reopen-unbound, open: 0\n/,
  );
  assert.match(report, /\n {4}\[ {4}3\.097146\] RIP: 0010:check_vma/);
});

test("the guest's plan reaches its init on the kernel command line", () => {
  assert.equal(
    kernelCommandLine({
      aligns: [4096, 2 * MiB],
      steps: ["faults", "race"],
      faultBytes: 64 * MiB,
      repeat: 3,
      raceBytes: 32 * MiB,
      rounds: 7,
      seed: 9,
      oopsCases: true,
    }),
    "console=ttyS0 memmap=1G!1G panic=-1 oops=panic loglevel=4 daxbench.align=4096,2097152 " +
      "daxbench.steps=faults,race daxbench.fault_bytes=67108864 daxbench.repeat=3 daxbench.race_bytes=33554432 " +
      "daxbench.rounds=7 daxbench.seed=9 daxbench.oops_cases=1",
  );
});

test("guest refuses a bad option in one line, before any work, and writes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-guest-"));
  const out = join(dir, "g.csv");
  const refusals: [string[], RegExp][] = [
    [["--align", "1g"], /^--align 1g is not one of: 4k, 2m$/],
    [["--size", "3m"], /^--size 3m is not a positive multiple of 2m up to 1000m/],
    [["--race-size", "2g"], /^--race-size 2g is not a positive multiple of 2m up to 1000m/],
    [["--accel", "xen"], /^--accel xen is not one of: auto, kvm, tcg$/],
    [["--steps", "boot"], /^--steps boot is not one of: faults, rules, race$/],
    [["--rounds", "0"], /^--rounds 0 is not a whole number from 1 to 10,000$/],
    [["--timeout", "soon"], /^--timeout soon is not a positive duration/],
  ];
  for (const [args, message] of refusals) {
    const run = await daxbench("guest", ...args, "--out", out);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0].replace(/^daxbench: /, ""), message);
  }
  assert.equal(existsSync(out), false);
});

test("without QEMU and the rest, guest skips in one line naming how to get them, and exits 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "daxbench-guest-path-"));
  symlinkSync("/bin/sh", join(dir, "sh"));
  const out = join(dir, "g.csv");
  const run = await daxbenchWith({ PATH: dir }, "guest", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(
    run.stderr,
    "daxbench guest: skipped: qemu-system-x86, busybox-static, ndctl, xz-utils, cpio, gcc not installed; " +
      "get them with npm run guest:setup (root, Debian or Ubuntu)\n",
  );
  assert.equal(existsSync(out), false);
});
