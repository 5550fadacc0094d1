// `daxbench list`: what can be run: scenarios, protection schemes, alignments, policies, workers, sweeps.

import { DaxMachine, ALIGNMENTS } from "../../machine/dax.ts";
import { SCENARIOS } from "../../registry/scenarios.ts";
import { OPTION_NAMES, maxWorkers, SWEEPS } from "../../run/matrix.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

const SCHEMES: Record<string, string> = {
  rcu: "SRCU's per-CPU lock/unlock counters; teardown waits for a grace period",
  mutex: "a futex mutex held around every fault; teardown takes it once",
  none: "no protection: teardown does not wait (unsafe; the baseline torture must catch)",
  rwlock: "a futex reader-writer lock around every fault; teardown takes it for writing",
  qsbr: "liburcu's QSBR: free read side, readers offline between batches; grace periods wait for batches",
  "rcu-pointer": "SRCU guarding a pointer to a copy of the device state: updates publish a copy, free the old after a grace period",
  "rcu-skip-scan2": "SRCU whose grace period skips its second scan: too short on purpose (torture must catch it)",
  "rcu-pointer-free-early": "rcu-pointer freeing the old copy before the grace period: broken on purpose (torture must catch it)",
  "rcu-check-outside": "SRCU, but a fault checks alive before entering the read side: broken on purpose (torture must catch it)",
  "rcu-zap-early": "SRCU, but teardown zaps the mappings before the grace period: broken on purpose (torture must catch it)",
};

const ALIGNMENT_MEANINGS: Record<keyof typeof ALIGNMENTS, string> = {
  "4k": "every fault installs a pte (4 KiB)",
  "2m": "every fault installs a pmd (2 MiB)",
  "1g": "every fault installs a pud (1 GiB)",
};

export const listCommand: Command<object> = {
  usage: "list",
  describe: "list scenarios, protection schemes and alignments",
  options: (y) => y,
  run(_args, io: Io) {
    const probe = new DaxMachine();
    const say = (text: string) => println(io.stdout, text);
    say("scenarios (each measured by its headline figure, over the dimensions it uses):");
    for (const s of SCENARIOS) {
      say(`  ${s.name.padEnd(10)} ${s.summary}`);
      say(`  ${"".padEnd(10)}   headline: ${s.headline.meaning}; varies: ${s.dimensions.map((d) => `--${OPTION_NAMES[d]}`).join(", ")}`);
    }
    say("protections:");
    for (const name of probe.schemes()) say(`  ${name.padEnd(10)} ${SCHEMES[name] ?? ""}`);
    say("alignments:");
    for (const [name, meaning] of Object.entries(ALIGNMENT_MEANINGS)) say(`  ${name.padEnd(10)} ${meaning}`);
    say("policies:");
    say(`  ${"device".padEnd(10)} Device-DAX: every mapping matches the region's alignment; misaligned mmaps are refused`);
    say(`  ${"fs".padEnd(10)} fs-dax: any vma is accepted; a pmd where one fits, ptes elsewhere (opportunistic)`);
    say(`workers: 1 to ${maxWorkers(probe)}`);
    say("sweeps (run --sweep NAME):");
    for (const [name, sweep] of Object.entries(SWEEPS)) say(`  ${name.padEnd(12)} ${sweep.summary}`);
    return EXIT.ok;
  },
};
