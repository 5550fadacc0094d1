// What `daxbench guest` boots, made from the distribution's own packages under a cache directory (never in
// the repository): the kernel that linux-image-amd64 depends on today, unpacked without installing it (the
// host's boot hooks never run), its pmem and Device-DAX modules, and an initramfs of busybox, ndctl with its
// libraries, bench/guest/init.sh and the probe (bench/guest/dax-probe.c, built static). Nothing is installed
// unless asked (installPackages, root); what is missing is said in one line with the command that gets it.

import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandPath } from "../system.ts";

/** The Debian/Ubuntu packages the guest needs, and the commands each gives. */
export const GUEST_PACKAGES: readonly { pkg: string; commands: string[] }[] = [
  { pkg: "qemu-system-x86", commands: ["qemu-system-x86_64"] },
  { pkg: "busybox-static", commands: ["busybox"] },
  { pkg: "ndctl", commands: ["ndctl"] },
  { pkg: "xz-utils", commands: ["xz"] },
  { pkg: "cpio", commands: ["cpio"] },
  { pkg: "gcc", commands: ["cc"] },
  { pkg: "libc6-dev", commands: [] },
];

/** The command that installs them: also the one line a machine without them is told. */
export const SETUP_COMMAND = "npm run guest:setup (root, Debian or Ubuntu)";

/** The modules a devdax namespace on legacy e820 pmem needs, in an order that loads (init.sh inserts them). */
export const GUEST_MODULES = ["libnvdimm", "nd_btt", "nd_pmem", "nd_e820", "nfit", "device_dax", "dax_pmem"] as const;

const sources = fileURLToPath(new URL("../../bench/guest/", import.meta.url));

/** Where the kernels, the probe and the initramfs are kept: $DAXBENCH_CACHE, or daxbench/guest under
 *  $XDG_CACHE_HOME (~/.cache). */
export function cacheDir(): string {
  if (process.env.DAXBENCH_CACHE) return process.env.DAXBENCH_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "daxbench", "guest");
}

/** Whether a program is statically linked: the guest has no libraries for busybox. */
function isStatic(path: string): boolean {
  try {
    execFileSync("ldd", [path], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
}

/** The packages whose commands are missing here (a dynamic busybox counts as missing busybox-static). */
export function missingPackages(): string[] {
  return GUEST_PACKAGES.filter(({ pkg, commands }) => {
    if (pkg === "busybox-static") {
      const busybox = commandPath("busybox");
      return busybox === undefined || !isStatic(busybox);
    }
    if (pkg === "libc6-dev") return !existsSync("/usr/include/stdio.h");
    return commands.some((command) => !commandPath(command));
  }).map(({ pkg }) => pkg);
}

/** A command checked by missingPackages() to be on PATH. */
function which(command: string): string {
  return commandPath(command)!;
}

/** Installs the missing packages with apt-get (root), after refreshing its lists when anything is missing or
 *  the kernel cannot be resolved from them; apt's errors go to stderr and throw. */
export function installPackages(log: (line: string) => void): void {
  const missing = missingPackages();
  const apt = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  if (missing.length > 0 || kernelPackage() === undefined) apt(["update", "-qq"]);
  if (missing.length === 0) return log("guest packages: all installed");
  log(`guest packages: installing ${missing.join(", ")} with apt-get`);
  apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
}

/** The guest kernel: the package linux-image-amd64 depends on now, and its version. */
export interface KernelPackage {
  pkg: string;
  version: string;
}

/** Resolved at run time, since the archive moves on and old versions leave it. Undefined where apt has no
 *  linux-image-amd64 (not Debian, or no package lists). */
export function kernelPackage(): KernelPackage | undefined {
  try {
    const depends = execFileSync("apt-cache", ["depends", "linux-image-amd64"], { encoding: "utf8" });
    const pkg = /Depends: (linux-image-[^\s]+)/.exec(depends)?.[1];
    if (!pkg) return undefined;
    const show = execFileSync("apt-cache", ["show", "--no-all-versions", pkg], { encoding: "utf8" });
    const version = /^Version: (\S+)/m.exec(show)?.[1];
    return version ? { pkg, version } : undefined;
  } catch {
    return undefined;
  }
}

/** An unpacked guest kernel: the uncompressed ELF (vmlinux boots ~8 s sooner than the bzImage under TCG) and
 *  the directory of its modules. */
export interface GuestKernel {
  pkg: KernelPackage;
  vmlinux: string;
  modules: string;
}

/** The kernel package's vmlinux and modules under the cache, downloaded and unpacked the first time. */
export function fetchKernel(pkg: KernelPackage, log: (line: string) => void): GuestKernel {
  const dir = join(cacheDir(), `${pkg.pkg}_${pkg.version}`);
  const kernel = { pkg, vmlinux: join(dir, "vmlinux"), modules: join(dir, "modules") };
  if (existsSync(kernel.vmlinux) && existsSync(kernel.modules)) return kernel;
  log(`guest kernel: downloading ${pkg.pkg} ${pkg.version} (about 70 MB) into ${dir}`);
  const scratch = join(cacheDir(), `unpack.${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    execFileSync("apt-get", ["download", `${pkg.pkg}=${pkg.version}`], { cwd: scratch, stdio: "ignore" });
    const deb = readdirSync(scratch).find((name) => name.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${pkg.pkg} gave no .deb`);
    execFileSync("sh", ["-c", `dpkg-deb --fsys-tarfile "${deb}" | tar -x ./boot ./lib/modules`], { cwd: scratch });
    const built = join(scratch, "out");
    mkdirSync(join(built, "modules"), { recursive: true });
    const vmlinuz = readdirSync(join(scratch, "boot")).find((name) => name.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new Error(`${pkg.pkg} has no /boot/vmlinuz-*`);
    writeFileSync(join(built, "vmlinux"), vmlinuxOf(readFileSync(join(scratch, "boot", vmlinuz))));
    const found = findModules(join(scratch, "lib", "modules"));
    for (const name of GUEST_MODULES) {
      if (!found.has(name)) throw new Error(`${pkg.pkg} has no ${name}.ko: its kernel was built without it`);
      copyFileSync(found.get(name)!, join(built, "modules", `${name}.ko`));
    }
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(built, dir);
    return kernel;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The ELF inside a bzImage: the xz stream after the setup header, decompressed (the kernel's own
 *  scripts/extract-vmlinux does the same search). */
export function vmlinuxOf(bzImage: Buffer): Buffer {
  const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const at = bzImage.indexOf(XZ_MAGIC);
  if (at < 0) throw new Error("the kernel image holds no xz stream (not an xz-compressed bzImage)");
  const elf = execFileSync("xz", ["-dc", "--single-stream"], {
    input: bzImage.subarray(at),
    maxBuffer: 1 << 30,
  });
  if (elf.subarray(0, 4).toString("latin1") !== "\x7fELF")
    throw new Error("the kernel image's xz stream is not an ELF");
  return elf;
}

function findModules(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ko")) found.set(entry.name.slice(0, -3), path);
    }
  };
  walk(dir);
  return found;
}

/** Builds the probe static and the initramfs for `kernel`, anew each run (a second or two): the sources in
 *  bench/guest/ are what runs. Returns the initramfs's path. */
export function buildInitramfs(kernel: GuestKernel): string {
  const root = join(cacheDir(), `initramfs.${process.pid}`);
  const out = join(dirname(kernel.vmlinux), "initramfs.cpio.gz");
  rmSync(root, { recursive: true, force: true });
  try {
    for (const d of ["bin", "usr/bin", "lib/modules", "proc", "sys", "dev"])
      mkdirSync(join(root, d), { recursive: true });
    execFileSync("cc", ["-O2", "-static", "-pthread", join(sources, "dax-probe.c"), "-o", join(root, "dax-probe")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    copyFileSync(join(sources, "init.sh"), join(root, "init"));
    copyFileSync(which("busybox"), join(root, "bin", "busybox"));
    for (const name of GUEST_MODULES)
      copyFileSync(join(kernel.modules, `${name}.ko`), join(root, "lib", "modules", `${name}.ko`));
    const ndctl = which("ndctl");
    copyFileSync(ndctl, join(root, "usr", "bin", "ndctl"));
    for (const library of sharedLibraries(ndctl)) {
      mkdirSync(join(root, dirname(library)), { recursive: true });
      copyFileSync(library, join(root, library));
    }
    execFileSync("chmod", ["-R", "a+rX", root]);
    execFileSync("chmod", ["755", join(root, "init"), join(root, "dax-probe"), join(root, "bin", "busybox")]);
    const partial = `${out}.${process.pid}.tmp`;
    execFileSync("sh", ["-c", `find . | cpio -o -H newc --quiet | gzip -1 > "${partial}"`], { cwd: root });
    renameSync(partial, out);
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The libraries a dynamic program loads, the loader among them, as ldd lists them. */
function sharedLibraries(program: string): string[] {
  const listing = execFileSync("ldd", [program], { encoding: "utf8" });
  return [...listing.matchAll(/(\/\S+)/g)].map((match) => match[1]);
}
