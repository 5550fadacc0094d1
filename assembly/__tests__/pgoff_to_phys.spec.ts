import { dax_region_create, dax_dev_add_extent, dax_dev_enable, pgoff_to_phys, DEV_OK, DEV_ERR_ALIGN,
  DEV_ERR_UNALIGNED_EXTENT, DEV_ERR_OVERLAPPING_EXTENT, DEV_ERR_EMPTY_EXTENT, DEV_ERR_NO_EXTENTS,
  DEV_ERR_ALIVE, POLICY_DEVICE } from "../device";
import { PAGE_SIZE, PMD_SIZE } from "../kernel";
import { DEVMAP, MiB, GiB, make_room } from "./fixtures";

make_room(0, 0); // dax_region_create clears SRCU's counters, below TABLES_BASE

// Three extents of uneven size, out of address order: 4 MiB, 2 MiB, 10 MiB.
const A: u64 = 0x100000000;
const B: u64 = 0x40000000;
const C: u64 = 0x200000000;

function three_extents(): void {
  expect(dax_region_create(PMD_SIZE, DEVMAP, POLICY_DEVICE)).toBe(DEV_OK);
  expect(dax_dev_add_extent(A, A + 4 * MiB - 1)).toBe(DEV_OK);
  expect(dax_dev_add_extent(B, B + 2 * MiB - 1)).toBe(DEV_OK);
  expect(dax_dev_add_extent(C, C + 10 * MiB - 1)).toBe(DEV_OK);
  expect(dax_dev_enable()).toBe(DEV_OK);
}

const NONE: u64 = <u64>-1;

describe("pgoff_to_phys", () => {
  it("maps the first page to the first extent's start", () => {
    three_extents();
    expect(pgoff_to_phys(0, PAGE_SIZE)).toBe(A);
  });

  it("walks the extents in order", () => {
    three_extents();
    expect(pgoff_to_phys(1024, PAGE_SIZE)).toBe(B); // 4 MiB in: the second extent's first page
    expect(pgoff_to_phys(1536, PMD_SIZE)).toBe(C); // 6 MiB in: the third extent
  });

  it("maps the last page to the last extent's last page", () => {
    three_extents();
    const last: u64 = (16 * MiB) / PAGE_SIZE - 1;
    expect(pgoff_to_phys(last, PAGE_SIZE)).toBe(C + 10 * MiB - PAGE_SIZE);
  });

  it("refuses a 2 MiB range that crosses an extent's end", () => {
    three_extents();
    expect(pgoff_to_phys(512 + 256, PMD_SIZE)).toBe(NONE); // starts 3 MiB into the 4 MiB extent
    expect(pgoff_to_phys(512, PMD_SIZE)).toBe(A + 2 * MiB); // the aligned one fits
  });

  it("refuses an offset beyond the last extent", () => {
    three_extents();
    expect(pgoff_to_phys((16 * MiB) / PAGE_SIZE, PAGE_SIZE)).toBe(NONE);
  });

  it("refuses an offset whose byte address wraps past 2^64 (it would land below an extent)", () => {
    three_extents();
    expect(pgoff_to_phys(<u64>-1 >> 12, PAGE_SIZE)).toBe(NONE); // (pgoff << 12) + A wraps to A - 4 KiB
  });
});

describe("device creation", () => {
  it("accepts only 4 KiB, 2 MiB and 1 GiB alignments", () => {
    expect(dax_region_create(PAGE_SIZE, DEVMAP, POLICY_DEVICE)).toBe(DEV_OK);
    expect(dax_region_create(GiB, DEVMAP, POLICY_DEVICE)).toBe(DEV_OK);
    expect(dax_region_create(64 * 1024, DEVMAP, POLICY_DEVICE)).toBe(DEV_ERR_ALIGN);
  });

  it("refuses extents that are unaligned, empty or overlapping, and a device with none", () => {
    expect(dax_region_create(PMD_SIZE, DEVMAP, POLICY_DEVICE)).toBe(DEV_OK);
    expect(dax_dev_enable()).toBe(DEV_ERR_NO_EXTENTS);
    expect(dax_dev_add_extent(A + PAGE_SIZE, A + 2 * MiB + PAGE_SIZE - 1)).toBe(DEV_ERR_UNALIGNED_EXTENT);
    expect(dax_dev_add_extent(A, A + MiB - 1)).toBe(DEV_ERR_UNALIGNED_EXTENT);
    expect(dax_dev_add_extent(A, A - 1)).toBe(DEV_ERR_EMPTY_EXTENT);
    expect(dax_dev_add_extent(A, A + 4 * MiB - 1)).toBe(DEV_OK);
    expect(dax_dev_add_extent(A + 2 * MiB, A + 6 * MiB - 1)).toBe(DEV_ERR_OVERLAPPING_EXTENT);
    expect(dax_dev_add_extent(A - 2 * MiB, A + 2 * MiB - 1)).toBe(DEV_ERR_OVERLAPPING_EXTENT);
  });

  it("refuses new extents once the device is alive", () => {
    three_extents();
    expect(dax_dev_add_extent(0, 2 * MiB - 1)).toBe(DEV_ERR_ALIVE);
  });
});
