// Entry of every worker thread. Node 20 does not pass a parent's --import loader to workers, so the worker
// registers tsx itself before loading its TypeScript.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
