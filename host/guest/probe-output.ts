// What the guest printed on its serial console, read into typed records: the lines of bench/guest/init.sh and
// bench/guest/dax-probe.c (each "@dax KIND key=value ..."), and the kernel's own lines that report a bug (an
// oops, a BUG, a WARNING, a refcount underflow), which are findings, not noise. Nothing here boots anything:
// the tests feed it text.

/** The probe's fault cases: one write per page of the alignment, one per 4 KiB, one read per 4 KiB. */
export const GUEST_FAULT_CASES = ["fault", "populate", "hit"] as const;
export type GuestFaultCase = (typeof GUEST_FAULT_CASES)[number];

export interface GuestFault {
  case: GuestFaultCase;
  align: number;
  bytes: number;
  touches: number;
  /** The probe thread's minor faults over the pass: each is one fault the driver served. */
  faults: number;
  elapsedNs: number;
  /** 0 is the warm-up. */
  rep: number;
}

/** One case of the rules: mmap's errno name ("0" when it mapped), the first touch's signal ("none",
 *  "SIGBUS", "SIGSEGV"; "-" without a mapping), and the bytes the touch's entry maps (0 without one). */
export interface GuestRule {
  case: string;
  align: number;
  mmap: string;
  touch: string;
  entry: number;
}

/** One round of the teardown race. */
export interface GuestRace {
  round: number;
  align: number;
  readers: number;
  accesses: number;
  /** Accesses that started after the unbind returned: each must SIGBUS. */
  after: number;
  /** Of those, the ones that did not. */
  violations: number;
  sigbus: number;
  /** The pages of the mapping touched once the readers stopped: each must SIGBUS. */
  pages: number;
  pagesNotSigbus: number;
  /** The unbind's write(), start to return. */
  unbindNs: number;
  /** From the unbind's start to the first SIGBUS any reader took; undefined when none took one. */
  firstSigbusNs: number | undefined;
}

/** One traced function over a race step: kill_dax, synchronize_srcu (inside it), unmap_mapping_range. */
export interface GuestTrace {
  align: number;
  function: string;
  calls: number;
  totalNs: number;
}

export interface GuestOutput {
  /** uname -r in the guest; "" when the guest never said. */
  release: string;
  cpus: number;
  namespaces: { align: number; bytes: number }[];
  faults: GuestFault[];
  rules: GuestRule[];
  races: GuestRace[];
  /** The answers of the cases run only when asked (--oops-cases), each printed before the call that may oops. */
  oopsCases: { case: string; step: string; result: string }[];
  /** ftrace's function_graph over each alignment's race: the teardown functions' calls and summed time. */
  traces: GuestTrace[];
  /** The steps that ran to their end on each namespace, with their exit status. */
  steps: { name: string; align: number; status: number }[];
  /** What went wrong inside the guest, a line each: a step that failed, a namespace not made, a line that
   *  could not be read. */
  failures: string[];
  /** The kernel's lines reporting a bug, as printed. */
  oops: string[];
  /** Whether the guest reached its last line ("@dax end"): without it, the run was cut short. */
  ended: boolean;
}

/** The kernel's words for a bug it caught: what makes a line of the console an oops line (RIP names the
 *  function it happened in). */
const OOPS = /\b(BUG:|Oops:|RIP: |Kernel panic|general protection fault|WARNING:|refcount_t:|list_del corruption)/;

/** "key=value key2=\"two words\"" into a map. */
function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/(\w+)=("[^"]*"|\S*)/g)) fields.set(match[1], match[2].replace(/^"|"$/g, ""));
  return fields;
}

class LineFields {
  constructor(
    private readonly line: string,
    private readonly fields: Map<string, string>,
  ) {}

  text(key: string): string {
    const value = this.fields.get(key);
    if (value === undefined) throw new Error(`no ${key}= in "${this.line}"`);
    return value;
  }

  number(key: string): number {
    const value = this.text(key);
    const number = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number)) throw new Error(`${key}=${value} is not a whole number in "${this.line}"`);
    return number;
  }
}

export function parseGuestOutput(console: string): GuestOutput {
  const out: GuestOutput = {
    release: "",
    cpus: 0,
    namespaces: [],
    faults: [],
    rules: [],
    races: [],
    steps: [],
    traces: [],
    oopsCases: [],
    failures: [],
    oops: [],
    ended: false,
  };
  for (const raw of console.split(/\r?\n/)) {
    if (OOPS.test(raw)) out.oops.push(raw.trim());
    const at = raw.indexOf("@dax ");
    if (at < 0) continue;
    const line = raw.slice(at).trim();
    const [, kind = "", rest = ""] = /^@dax ([\w-]+)\s*(.*)$/.exec(line) ?? [];
    const f = new LineFields(line, fieldsOf(rest));
    try {
      readLine(out, kind, f, line);
    } catch (error) {
      out.failures.push(`unreadable line from the guest: ${(error as Error).message}`);
    }
  }
  return out;
}

function readLine(out: GuestOutput, kind: string, f: LineFields, line: string): void {
  switch (kind) {
    case "kernel":
      out.release = f.text("release");
      out.cpus = f.number("cpus");
      return;
    case "namespace":
      out.namespaces.push({ align: f.number("align"), bytes: f.number("bytes") });
      return;
    case "fault": {
      const name = f.text("case");
      if (!(GUEST_FAULT_CASES as readonly string[]).includes(name)) throw new Error(`case=${name} is not a fault case`);
      out.faults.push({
        case: name as GuestFaultCase,
        align: f.number("align"),
        bytes: f.number("bytes"),
        touches: f.number("touches"),
        faults: f.number("faults"),
        elapsedNs: f.number("elapsed_ns"),
        rep: f.number("rep"),
      });
      return;
    }
    case "rule":
      out.rules.push({
        case: f.text("case"),
        align: f.number("align"),
        mmap: f.text("mmap"),
        touch: f.text("touch"),
        entry: f.number("entry"),
      });
      return;
    case "race": {
      const first = f.number("first_sigbus_ns");
      out.races.push({
        round: f.number("round"),
        align: f.number("align"),
        readers: f.number("readers"),
        accesses: f.number("accesses"),
        after: f.number("after"),
        violations: f.number("violations"),
        sigbus: f.number("sigbus"),
        pages: f.number("pages"),
        pagesNotSigbus: f.number("pages_not_sigbus"),
        unbindNs: f.number("unbind_ns"),
        firstSigbusNs: first < 0 ? undefined : first,
      });
      return;
    }
    case "trace":
      out.traces.push({
        align: f.number("align"),
        function: f.text("function"),
        calls: f.number("calls"),
        totalNs: f.number("total_ns"),
      });
      return;
    case "oops-case":
      out.oopsCases.push({ case: f.text("case"), step: f.text("step"), result: f.text("result") });
      return;
    case "step": {
      const step = { name: f.text("name"), align: f.number("align"), status: f.number("status") };
      out.steps.push(step);
      if (step.status !== 0) out.failures.push(`step ${step.name} at align ${step.align} exited ${step.status}`);
      return;
    }
    case "error":
      out.failures.push(`guest: ${line.slice("@dax error ".length)}`);
      return;
    case "end":
      out.ended = true;
      return;
    default:
      out.failures.push(`unreadable line from the guest: ${line}`);
  }
}
