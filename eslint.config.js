// The linter of the whole tree: ESLint's and typescript-eslint's recommended rules, and lines of at most 120
// columns (prettier, which formats everything but assembly/, wraps code to that width; comments, strings and
// assembly/ are held to it here).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import stylistic from "@stylistic/eslint-plugin";
import globals from "globals";

export default tseslint.config(
  { ignores: ["build/", "node_modules/", "results/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    plugins: { "@stylistic": stylistic },
    rules: { "@stylistic/max-len": ["error", { code: 120, tabWidth: 2 }] },
  },
  {
    // AssemblyScript puts decorators on functions (@inline), which TypeScript's grammar refuses; its parser is
    // told to keep the tree anyway.
    files: ["assembly/**/*.ts"],
    // Its own conventions: "@ts-ignore: decorator" before each (for editors running TypeScript), and 64-bit
    // integer literals, which are exact in AssemblyScript.
    languageOptions: { parserOptions: { allowInvalidAST: true } },
    // An operation's run<S>(a, b) (protection.ts's with_read_side) takes two arguments whether it uses them or
    // not; those it does not use begin with _.
    rules: {
      "@typescript-eslint/ban-ts-comment": "off",
      "no-loss-of-precision": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
