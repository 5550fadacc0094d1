// Writes docs/csv.md's generated section, the CSV reference, from host/results/schema.ts and the meanings in
// host/export/csv-reference.ts (npm run docs:csv); test/docs.test.ts fails while it is out of date.

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { replaceSection } from "../host/export/readme.ts";
import { csvReference } from "../host/export/csv-reference.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
replaceSection(join(root, "docs", "csv.md"), "columns", csvReference());
console.log("docs/csv.md: its columns section written from host/results/schema.ts");
