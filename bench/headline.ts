// The README's headline table: the review thread's two questions answered from the published runs, by the
// verdicts daxbench itself prints (results/pairs.ts, in print/pairs.ts's words) and torture's counts.
// `headline()` is pure and tested (test/docs.test.ts holds the README to it); run as a script (a step of
// results:reference and results:torture) it rewrites the README's headline section from
// results/reference.csv and results/torture.csv.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readResultFile } from "../host/results/file.ts";
import { byConfiguration, comparedValue } from "../host/results/configurations.ts";
import { pairVerdicts, type PairVerdict } from "../host/results/pairs.ts";
import { pairText } from "../host/print/pairs.ts";
import { markdownTable } from "../host/export/markdown.ts";
import { replaceSection } from "../host/export/readme.ts";
import type { ResultRow } from "../host/results/schema.ts";

/** The pairs that answer a question: a compared dimension, its two sides, and the pairs to show, by how their
 *  label (`pairText`'s, before the colon) begins. */
interface Question {
  question: string;
  dimension: PairVerdict["dimension"];
  sides: [string, string];
  shown: string[];
}

const QUESTIONS: Question[] = [
  {
    question: "What does alignment buy?",
    dimension: "align",
    sides: ["4k", "2m"],
    shown: ["populate "],
  },
  {
    question: "RCU or a mutex around `alive`?",
    dimension: "protection",
    sides: ["rcu", "mutex"],
    shown: ["populate 4k ", "churn 4k ", "readside "],
  },
];

/** The torture rows shown: the safe schemes, the kernel's reference counts, a seqlock (which cannot guard alive)
 *  and the unprotected baseline. */
const TORTURED = ["rcu", "qsbr", "mutex", "refcount", "percpu-ref", "seqlock", "none"];

const count = (value: string | number) => Number(value).toLocaleString("en-US");

function verdictRows(reference: ResultRow[], alpha: number): string[][] {
  const verdicts = pairVerdicts(byConfiguration(reference), alpha);
  return QUESTIONS.flatMap(({ question, dimension, sides, shown }) =>
    verdicts
      .filter((v) => v.dimension === dimension)
      .filter((v) => sides.includes(comparedValue(v.better, dimension)))
      .filter((v) => sides.includes(comparedValue(v.worse, dimension)))
      .map((v) => {
        const text = pairText(v, alpha);
        const split = text.indexOf(": ");
        return [text.slice(0, split), text.slice(split + 2)];
      })
      .filter(([label]) => shown.some((prefix) => `${label} `.startsWith(prefix)))
      .map(([label, answer], i) => [i === 0 ? question : "", label, answer]),
  );
}

function tortureRows(torture: ResultRow[]): string[][] {
  return TORTURED.flatMap((scheme, i) =>
    torture
      .filter((row) => row.protection === scheme)
      .map((row) => [
        i === 0 ? "Does RCU protect `alive`? (torture)" : "",
        `${scheme} ${row.align} ${row.workers}w`,
        `${count(row.violations)} violations and ${count(row.stale_entries)} stale entries in ` +
          `${count(row.kills)} kills`,
      ]),
  );
}

export function headline(reference: ResultRow[], torture: ResultRow[], alpha: number): string {
  const rows = [...verdictRows(reference, alpha), ...tortureRows(torture)];
  const commits = [...new Set([...reference, ...torture].map((row) => row.commit))].join(", ");
  return [
    markdownTable(["question", "configuration", "answer"], rows, ["left", "left", "left"]),
    "",
    `From \`results/reference.csv\` (verdicts at alpha ${alpha}) and ` +
      `\`results/torture.csv\`, at commit ${commits}.`,
  ].join("\n");
}

function main(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const read = (name: string) => readResultFile(join(root, "results", name)).rows;
  replaceSection(join(root, "README.md"), "headline", headline(read("reference.csv"), read("torture.csv"), 0.05));
  console.log("README.md: its headline section written from results/reference.csv and results/torture.csv");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
