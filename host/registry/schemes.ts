// The protection schemes of dev->alive, by the names the CLI and the CSV use: each with the core constant
// that selects it (assembly/protection.ts). Nothing else maps a scheme's name to the core.

import type { CoreConstant } from "../machine/core.ts";

export interface Scheme {
  /** As --protection and the CSV's protection column spell it. */
  name: string;
  /** The export set_protection() takes for it. */
  constant: CoreConstant;
}

export const SCHEMES = [
  { name: "none", constant: "SCHEME_NONE" },
  { name: "rcu", constant: "SCHEME_RCU" },
  { name: "mutex", constant: "SCHEME_MUTEX" },
  { name: "rwlock", constant: "SCHEME_RWLOCK" },
  { name: "qsbr", constant: "SCHEME_QSBR" },
  { name: "rcu-pointer", constant: "SCHEME_RCU_POINTER" },
  { name: "rcu-skip-scan2", constant: "SCHEME_RCU_SKIP_SCAN2" },
  { name: "rcu-pointer-free-early", constant: "SCHEME_RCU_POINTER_FREE_EARLY" },
  { name: "rcu-check-outside", constant: "SCHEME_RCU_CHECK_OUTSIDE" },
  { name: "rcu-zap-early", constant: "SCHEME_RCU_ZAP_EARLY" },
] as const satisfies readonly Scheme[];

export type SchemeName = (typeof SCHEMES)[number]["name"];

/** The scheme named `name`, or undefined for a name that is none of them (typed by a user, read from a file). */
export function findScheme(name: string): Scheme | undefined {
  return SCHEMES.find((scheme) => scheme.name === name);
}
