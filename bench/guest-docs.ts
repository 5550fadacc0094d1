// Writes docs/guest.md's generated section from the committed results of `npm run results:guest`:
// results/guest.md (the report `daxbench guest` printed) with the run it came from (results/guest.csv).

import "./usage-exit.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { replaceSection } from "../host/export/readme.ts";
import { readGuestFile } from "../host/guest/results.ts";

function main(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const first = readGuestFile(join(root, "results", "guest.csv"))[0];
  // The report's own title gives way to the section's.
  const report = readFileSync(join(root, "results", "guest.md"), "utf8").replace(/^# .*\n+/, "");
  const section = [
    `Measured on ${first.cpu} x${first.cpu_count}, Node ${first.node}, ` +
      `daxbench ${first.daxbench_version}, commit ${String(first.commit).slice(0, 12) || "unknown"}: ` +
      `\`daxbench guest\` with its defaults, started ${first.started_at} ` +
      "(`results/guest.csv`, `results/guest.md`).",
    "",
    report.trim().replace(/^## /gm, "### "),
  ].join("\n");
  replaceSection(join(root, "docs", "guest.md"), "guest", section);
  console.log("docs/guest.md: its section written from results/guest.md and results/guest.csv");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
