// The slow tier (npm run test:slow; .ci/run runs it after npm test): tests too dear for npm test's 90 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { BATCH_OPS } from "../../host/registry/scenarios.ts";
import { daxbench } from "../daxbench.ts";

// 256 readers on however few CPUs the machine has, through the whole run as a user starts it. One run of one
// configuration, since every configuration starts workers of its own and a worker costs Node's start-up
// (60 to 90 ms of CPU here, what an empty worker costs: about 20 s of CPU for this test, an eighth of all
// of npm test's): random touches, which time their readers as readside does and race them for installs as
// populate's disjoint slices never do. Every reader ran (each runs whole
// batches of BATCH_OPS touches, one at least), each page was installed exactly once however many raced for
// it, and every touch is a hit, an install or an install that lost the race.
test(
  "256 readers racing over one mapping: " +
    "every reader ran, each page was installed exactly once, every touch is accounted for",
  async () => {
    const readers = 256;
    const pages = 4096; // a 16 MiB mapping of 4 KiB pages; a reader's first batch alone touches as many
    const result = await daxbench(
      "run",
      "--scenario",
      "random",
      "--protection",
      "rcu",
      "--align",
      "4k",
      "--size",
      "16m",
      "--workers",
      String(readers),
      "--duration",
      "50ms",
      "--repeat",
      "1",
      "--warmup",
      "0",
      "--timeout",
      "600s",
      "--out",
      "-",
    );
    assert.equal(result.status, 0, result.stderr);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.workers),
      [String(readers)],
    );
    const [n] = rows.map((r) => ({
      ops: Number(r.ops),
      faults: Number(r.faults),
      hits: Number(r.hits),
      raced: Number(r.raced),
      sigbus: Number(r.sigbus),
    }));
    assert.equal(n.ops % Number(BATCH_OPS), 0, `${n.ops} touches: whole batches`);
    assert.ok(
      n.ops >= readers * Number(BATCH_OPS),
      `${n.ops} touches: each of the ${readers} readers ran a batch at least`,
    );
    assert.equal(n.faults, pages, "each page installed once: by 1,048,576 random touches at least, and never twice");
    assert.equal(n.hits + n.faults + n.raced, n.ops, "every touch a hit, an install or a lost race");
    assert.equal(n.sigbus, 0);
  },
);
