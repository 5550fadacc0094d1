// The npm that runs these tests: inside `npm test`, PATH starts with node_modules/.bin, where a dependency of
// as-pect puts an npm 6 of its own (without `pack --pack-destination`); npm_execpath names the npm that started
// the script. Run by hand (node --test), the npm on PATH is the system's.
import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from "node:child_process";

export function npm(
  args: string[],
  options: Omit<SpawnSyncOptionsWithStringEncoding, "encoding">,
): SpawnSyncReturns<string> {
  const cli = process.env.npm_execpath;
  return cli && /npm-cli\.js$/.test(cli)
    ? spawnSync(process.execPath, [cli, ...args], { ...options, encoding: "utf8" })
    : spawnSync("npm", args, { ...options, encoding: "utf8" });
}
