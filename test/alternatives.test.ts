// The design alternatives through the CLI: mmap-mix under device and fs, and the tlb scenario. Counts only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { daxbench } from "./daxbench.ts";
import { parse } from "csv-parse/sync";

const run = (...args: string[]) =>
  daxbench("run", "--min-time", "20ms", "--repeat", "1", "--warmup", "0", "--out", "-", "--quiet", ...args);
type Row = Record<string, string>;

test(
  "mmap-mix: device refuses the misaligned vmas and maps pmds only; " +
    "fs refuses none and maps ptes where pmds do not fit",
  async () => {
    const result = await run(
      "--scenario",
      "mmap-mix",
      "--policy",
      "device,fs",
      "--align",
      "2m",
      "--protection",
      "rcu",
      "--size",
      "4m",
    );
    assert.equal(result.status, 0, result.stderr);
    const [device, fs] = parse(result.stdout, { columns: true }) as Row[];
    assert.deepEqual([device.policy, fs.policy], ["device", "fs"]);
    assert.ok(Number(device.mmaps_rejected) > 0 && Number(device.pte_installs) === 0);
    const vmas = 64 * Number(device.passes);
    assert.equal(
      Number(device.pmd_installs),
      (vmas - Number(device.mmaps_rejected)) * 2,
      "two pmds per accepted 4 MiB vma, 64 vmas a pass",
    );
    assert.equal(Number(fs.mmaps_rejected), 0);
    assert.ok(Number(fs.pte_installs) > 0 && Number(fs.pmd_installs) > 0);
    assert.equal(Number(fs.pte_installs) % 1024, 0, "a misaligned 4 MiB vma is 1,024 ptes");
    assert.ok(Number(fs.faults_per_gib) > Number(device.faults_per_gib));
  },
);

test(
  "mmap-mix runs on one worker: --workers is not its dimension, and it says so; " + "it reports per vma and per page",
  async () => {
    const result = await daxbench(
      "run",
      "--min-time",
      "20ms",
      "--repeat",
      "1",
      "--warmup",
      "0",
      "--out",
      "-",
      "--scenario",
      "mmap-mix",
      "--workers",
      "1,2",
      "--size",
      "4m",
      "--align",
      "2m",
      "--protection",
      "rcu",
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        "^note: mmap-mix does not use --workers; " +
          "it runs once per protection × align × policy × size × read-delay × fault-cost$",
        "m",
      ),
    );
    const rows = parse(result.stdout, { columns: true }) as Row[];
    assert.deepEqual(
      rows.map((r) => r.workers),
      ["1"],
    );
    const [row] = rows;
    assert.equal(Number(row.vmas_mapped) + Number(row.mmaps_rejected), 64 * Number(row.passes), "64 vmas a pass");
    assert.equal(
      Number(row.ops),
      Number(row.vmas_mapped) * 1024,
      "ops: the pages of the accepted vmas, a refused mmap maps none",
    );
    assert.match(result.stderr, /ns\/page median .* vmas mapped \/ refused/);
  },
);

test("tlb: a working set inside the TLB walks almost never, one 16 times the STLB walks on most touches", async () => {
  const result = await run(
    "--scenario",
    "tlb",
    "--protection",
    "rcu",
    "--align",
    "2m,4k",
    "--size",
    "4m,64m",
    "--duration",
    "100ms",
  );
  assert.equal(result.status, 0, result.stderr);
  const rows = parse(result.stdout, { columns: true }) as Row[];
  const find = (align: string, mib: number) =>
    rows.find((r) => r.align === align && Number(r.mapping_bytes) === mib << 20)!;
  assert.ok(Number(find("2m", 4).tlb_walks_per_1k) < 1, "two 2 MiB pages stay in the L1 TLB");
  assert.ok(Number(find("2m", 64).tlb_walks_per_1k) < 1, "32 pmds fit the 32-entry L1 array");
  // 16,384 pages against a 1,536-entry STLB: about 9 touches in 10 walk, each 4 levels.
  assert.ok(Number(find("4k", 64).tlb_walk_levels_per_1k) > 3000, find("4k", 64).tlb_walk_levels_per_1k);
  assert.ok(
    rows.every((r) => r.protection === "" && r.tlb_geometry === "64/4,32/4,4/4,1536/12,16/4"),
    "no scheme runs on hits; the geometry is recorded",
  );
});

test("a TLB geometry that cannot be built is refused with exit 2", async () => {
  const result = await run("--scenario", "tlb", "--tlb-geometry", "48/4,32/4,4/4,1536/12,16/4");
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--tlb-geometry: TLB geometry 48\/4,.* does not fit/);
  const malformed = await run("--scenario", "tlb", "--tlb-geometry", "64");
  assert.equal(malformed.status, 2);
  assert.match(malformed.stderr, /--tlb-geometry 64 is not five entries\/ways pairs/);
});
