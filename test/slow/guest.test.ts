// The real driver in a guest: `daxbench guest` boots Debian's kernel under QEMU on a short configuration and
// must end SUCCESS, with every fault pass at size / align faults, every rule as the model answers it and no
// access after a disable let through. Needs what `npm run guest:setup` installs (.ci/run installs it as root on
// Debian); without it the test skips and says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { daxbench } from "../daxbench.ts";
import { buildInitramfs, fetchKernel, kernelPackage, missingPackages, SETUP_COMMAND } from "../../host/guest/image.ts";
import { boot } from "../../host/guest/boot.ts";

const missing = missingPackages();
const skip = missing.length
  ? `${missing.join(", ")} not installed: ${SETUP_COMMAND}`
  : kernelPackage() === undefined
    ? "apt knows no linux-image-amd64"
    : false;

test(
  "daxbench guest boots the real driver, and it keeps every promise the model makes",
  { skip, timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "daxbench-guest-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "guest.csv");
    const run = await daxbench(
      "guest",
      "--size",
      "64m",
      "--repeat",
      "2",
      "--rounds",
      "3",
      "--timeout",
      "170s",
      "--out",
      out,
    );
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\nSUCCESS\n/);
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    const of = (step: string) => rows.filter((r) => r.step === step);
    assert.ok(of("rule").length >= 14, "every rule case at 4k and 2m");
    for (const r of of("rule")) assert.equal(r.agree, "yes", JSON.stringify(r));
    for (const r of of("fault").filter((r) => r.rep !== "0" && r.case !== "hit"))
      assert.equal(Number(r.minor_faults), Number(r.mapping_bytes) / Number(r.align_bytes), JSON.stringify(r));
    assert.equal(of("race").length, 6, "3 rounds at each alignment");
    for (const r of of("race")) {
      assert.equal(r.violations, "0");
      assert.equal(r.pages_not_sigbus, "0");
      assert.ok(Number(r.accesses_after_disable) > 0, "readers touched the dead device");
    }
    assert.match(rows[0].guest_kernel, /^\d+\.\d+/);
    assert.ok(["tcg", "kvm"].includes(rows[0].accel));
  },
);

test("a boot that has not reached the guest's init by its deadline is stopped and says so", { skip }, async () => {
  const kernel = fetchKernel(kernelPackage()!, () => {});
  const plan = { aligns: [4096], steps: ["rules"], faultBytes: 2 ** 21, repeat: 1, raceBytes: 2 ** 21, rounds: 1 };
  const result = await boot(
    {
      kernel,
      initramfs: buildInitramfs(kernel),
      accel: "tcg",
      cpus: 1,
      timeoutSeconds: 120,
      initDeadlineSeconds: 0.5, // the kernel alone takes seconds to reach init
      plan: { ...plan, seed: 1, oopsCases: false },
    },
    () => {},
  );
  assert.equal(result.reachedInit, false);
  assert.equal(result.timedOut, false);
  assert.doesNotMatch(result.console, /@dax kernel/);
});
