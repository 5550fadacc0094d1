// The schemes' table (host/schemes.ts) against the core and against what reads it: one entry per
// SCHEME_* export, each accepted by set_protection; one scheme per native flavour; no scheme broken on purpose
// in a preset matrix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModule } from "../host/machine/wasm.ts";
import { DaxMachine } from "../host/machine/dax.ts";
import { SCHEME_CODES } from "../host/core-codes.ts";
import { SCHEMES, NATIVE_FLAVOURS, BENCHMARKED_SCHEMES, findScheme } from "../host/schemes.ts";
import { QUICK_MATRICES, FULL_MATRICES, SWEEPS } from "../host/run/matrix.ts";

test("every SCHEME_* export of the core has exactly one scheme, and every scheme's constant is exported", () => {
  const exported = WebAssembly.Module.exports(loadModule().module)
    .filter((entry) => entry.name.startsWith("SCHEME_"))
    .map((entry) => entry.name);
  const registered = SCHEMES.map((scheme) => SCHEME_CODES[scheme.name]);
  for (const name of exported)
    assert.equal(registered.filter((constant) => constant === name).length, 1, `entries selecting ${name}`);
  for (const constant of registered)
    assert.ok(exported.includes(constant), `${constant} is in the registry but not exported by assembly/`);
});

test("each scheme's constant is a distinct one set_protection accepts, and its name finds it", () => {
  const { core } = new DaxMachine();
  const codes = SCHEMES.map((scheme) => core.constant(SCHEME_CODES[scheme.name]));
  assert.equal(new Set(codes).size, codes.length, "two schemes select the same code");
  for (const scheme of SCHEMES) {
    assert.equal(
      core.exports.set_protection(core.constant(SCHEME_CODES[scheme.name])),
      0,
      `set_protection(${SCHEME_CODES[scheme.name]})`,
    );
    assert.equal(findScheme(scheme.name), scheme);
    assert.match(scheme.name, /^[a-z][a-z0-9-]*$/, "a name the CLI's comma lists and the CSV take as it is");
  }
});

test("each native flavour calibrates exactly one scheme", () => {
  for (const flavour of NATIVE_FLAVOURS) {
    const naming = SCHEMES.filter((scheme) => (scheme.native as readonly string[]).includes(flavour)).map(
      (scheme) => scheme.name,
    );
    assert.equal(naming.length, 1, `${flavour} is named by ${naming.join(", ") || "no scheme"}`);
  }
});

test("no preset matrix or sweep benchmarks a scheme broken on purpose", () => {
  const presets = [...QUICK_MATRICES, ...FULL_MATRICES, ...Object.values(SWEEPS).flatMap((sweep) => sweep.matrices)];
  for (const name of presets.flatMap((matrix) => matrix.protection)) {
    assert.ok((BENCHMARKED_SCHEMES as readonly string[]).includes(name), `${name} in a preset`);
  }
});
