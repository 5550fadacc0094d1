// What a micro-benchmark measured (host/run/micro.ts measures it, print/micro.ts shows it).

import type { AlignName } from "../types.ts";
import type { SchemeName } from "../schemes.ts";

/** What identifies a micro-benchmark case in its row (host/run/micro-cases.ts). */
export interface MicroCaseName {
  /** The row's case column: what is timed, "micro-readside". */
  name: string;
  protection: SchemeName;
  align: AlignName;
  mappingBytes: bigint;
  /** Entries each operation installs (the fault cases install one and zap it). */
  installsPerOp: number;
}

export interface MicroResult {
  micro: MicroCaseName;
  /** benchmark.js's mean time of one batch, over BATCH operations. */
  nsPerOp: number;
  /** benchmark.js's relative margin of error: the half-width of a 95% interval of the mean, in % of it. */
  rmePercent: number;
  /** Timed batches (benchmark.js's samples) the mean is over. */
  samples: number;
}
