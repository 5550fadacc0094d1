// Writes the README's calibration section from the committed micro-benchmark and native tables
// (results/micro.md, results/native.md), so that no figure in it is typed by hand. It measures nothing:
// `npm run results:calibration` runs `daxbench micro` and `daxbench native` first.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceSection } from "../host/export/readme.ts";

const root = new URL("..", import.meta.url).pathname;
const read = (name: string) => readFileSync(join(root, "results", name), "utf8").trim();

replaceSection(join(root, "README.md"), "calibration", [
  "Single-threaded micro-benchmarks (`daxbench micro`, benchmark.js; `results/micro.csv`): ns per operation with the",
  "relative margin of error.",
  "",
  read("micro.md"),
  "",
  "The same read-side pairs in C, measured in the same session (`daxbench native`; `results/native.md`):",
  "",
  read("native.md"),
].join("\n"));
console.log("README.md calibration section written from results/micro.md and results/native.md");
