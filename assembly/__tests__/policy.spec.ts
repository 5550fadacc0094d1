import { dax_region_create, dax_dev_add_extent, dax_dev_enable, POLICY_FS, POLICY_DEVICE } from "../device";
import { populate, mmap_mix } from "../batch";
import { set_protection, SCHEME_RCU } from "../protection";
import { attach, STAT_PTE_INSTALLS, STAT_PMD_INSTALLS, STAT_SIGBUS, STATS_MMAP_REJECTED_OFFSET } from "../percpu";
import { CHECK_VMA_OK, CHECK_VMA_UNALIGNED } from "../vma";
import { STATS } from "../layout";
import { PMD_SIZE } from "../kernel";
import { device, map, MiB, USER, PHYS, DEVMAP, SHARED_DAX, stat, make_room } from "./fixtures";

make_room(0, 0); // dax_region_create clears SRCU's counters, below TABLES_BASE

describe("mapping policy", () => {
  beforeEach(() => {
    attach(0, 1);
  });

  it("device refuses a vma that is not 2 MiB aligned", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_DEVICE);
    expect(map(4 * MiB, SHARED_DAX, USER + 4096)).toBe(CHECK_VMA_UNALIGNED);
  });

  it("fs accepts it and maps it all with ptes: no 2 MiB range of it can take a pmd", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(4 * MiB, SHARED_DAX, USER + 4096)).toBe(CHECK_VMA_OK);
    populate(0, 4 * MiB);
    expect(stat(STAT_PTE_INSTALLS)).toBe(1024);
    expect(stat(STAT_PMD_INSTALLS)).toBe(0);
    expect(stat(STAT_SIGBUS)).toBe(0);
  });

  it("fs maps an aligned vma over an aligned extent with pmds only", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(64 * MiB)).toBe(CHECK_VMA_OK);
    populate(0, 64 * MiB);
    expect(stat(STAT_PMD_INSTALLS)).toBe(32);
    expect(stat(STAT_PTE_INSTALLS)).toBe(0);
  });

  it("fs uses ptes exactly where a 4 KiB-granular extent boundary breaks a pmd", () => {
    // Two 3 MiB extents: pmd 0 lies in the first; pmd 1 crosses its end; pmd 2 starts 1 MiB into the second.
    expect(dax_region_create(PMD_SIZE, DEVMAP, POLICY_FS)).toBe(0);
    expect(dax_dev_add_extent(PHYS, PHYS + 3 * MiB - 1)).toBe(0);
    expect(dax_dev_add_extent(PHYS + 1024 * MiB, PHYS + 1027 * MiB - 1)).toBe(0);
    expect(dax_dev_enable()).toBe(0);
    expect(set_protection(SCHEME_RCU)).toBe(0);
    expect(map(6 * MiB)).toBe(CHECK_VMA_OK);
    populate(0, 6 * MiB);
    expect(stat(STAT_PMD_INSTALLS)).toBe(1);
    expect(stat(STAT_PTE_INSTALLS)).toBe(1024);
    expect(stat(STAT_SIGBUS)).toBe(0);
  });

  it("mmap-mix: device refuses every misaligned vma, fs none", () => {
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_DEVICE);
    expect(map(40 * MiB)).toBe(CHECK_VMA_OK); // the first vma: where mmap-mix places the others from
    expect(mmap_mix(20, 4 * MiB, 0)).toBe(0, "a refused mmap maps no page");
    expect(load<u64>(STATS + STATS_MMAP_REJECTED_OFFSET)).toBe(20);
    device(PMD_SIZE, 64 * MiB, DEVMAP, POLICY_FS);
    expect(map(40 * MiB)).toBe(CHECK_VMA_OK);
    expect(mmap_mix(20, 4 * MiB, 0)).toBe(20 * 1024, "every page of every accepted vma");
    expect(load<u64>(STATS + STATS_MMAP_REJECTED_OFFSET)).toBe(0);
    expect(stat(STAT_PTE_INSTALLS)).toBe(20 * 1024);
  });
});
