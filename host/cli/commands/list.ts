// `daxbench list`: what can be run: scenarios, protection schemes, alignments, policies, workers, sweeps.

import { DaxMachine, ALIGNMENTS } from "../../machine/dax.ts";
import { SCENARIOS } from "../../registry/scenarios.ts";
import { SCHEMES } from "../../schemes.ts";
import { maxWorkers, SWEEPS } from "../../run/matrix.ts";
import { OPTION_NAMES } from "../options.ts";
import { println, type Io } from "../io.ts";
import { EXIT, type Command } from "../command.ts";

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
      say(
        `  ${"".padEnd(10)}   headline: ${s.headline.meaning}; ` +
          `varies: ${s.dimensions.map((d) => `--${OPTION_NAMES[d]}`).join(", ")}`,
      );
    }
    say("protections (guards alive: once teardown's grace period ends, no fault of the dead device installs;");
    say("torture shows which: SUCCESS for those that guard it, FAILURE for the others):");
    // The longest scheme names are wider than the other lists' column: this list gets a column of its own.
    const width = Math.max(...SCHEMES.map((scheme) => scheme.name.length));
    for (const scheme of SCHEMES) {
      const guards = scheme.guardsAlive ? "guards alive     " : "cannot guard alive";
      say(`  ${scheme.name.padEnd(width)} ${guards} ${scheme.description}`);
    }
    say("alignments:");
    for (const [name, meaning] of Object.entries(ALIGNMENT_MEANINGS)) say(`  ${name.padEnd(10)} ${meaning}`);
    say("policies:");
    say(
      `  ${"device".padEnd(10)} Device-DAX: every mapping matches the region's alignment; misaligned mmaps are refused`,
    );
    say(`  ${"fs".padEnd(10)} fs-dax: any vma is accepted; a pmd where one fits, ptes elsewhere (opportunistic)`);
    say(`workers: 1 to ${maxWorkers(probe)}`);
    say("sweeps (run --sweep NAME):");
    for (const [name, sweep] of Object.entries(SWEEPS)) say(`  ${name.padEnd(12)} ${sweep.summary}`);
    return EXIT.ok;
  },
};
