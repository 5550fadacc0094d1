#!/usr/bin/env node
// The daxbench command. Node 20 cannot run TypeScript by itself, so tsx's loader is registered first.
import { register } from "tsx/esm/api";

register();
await import("../host/cli.ts");
