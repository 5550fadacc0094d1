// `npm run build:stale TARGET`: builds one target of the wasm core only when build/ lacks it or it is older
// than its sources (host/machine/build.ts's rule, the one every command loads the core by). npm test runs it
// for both targets side by side: a core that `npm run bench` or an earlier test run built is not built again.
//
//   node --import tsx bench/build-stale.ts release|debug

import { buildIfStale } from "../host/machine/build.ts";
import { BUILD_TARGETS, wasmPath, type BuildTarget } from "../host/machine/wasm.ts";

const target = process.argv[2];
if (!(BUILD_TARGETS as readonly string[]).includes(target ?? "")) {
  console.error(`build-stale: ${target ?? "(none)"} is not a target: ${BUILD_TARGETS.join(", ")}`);
  process.exitCode = 2;
} else {
  buildIfStale(target!, wasmPath(target as BuildTarget));
}
