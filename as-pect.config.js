// as-pect runs the assembly/ specs single-threaded on its own (unshared) memory.
export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    // clock_ns: the host's monotonic clock, the one import the core has besides its memory (clock.ts).
    return instantiate(binary, createImports({ env: { memory, clock_ns: () => process.hrtime.bigint() } }));
  },
  outputBinary: false,
};
