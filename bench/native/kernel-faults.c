/*
 * The real kernel's fault costs on this machine, for `daxbench kernel`: the closest analogue of a Device-DAX
 * fault without a DAX device maps memory that already exists, a shared memfd whose pages stay in the page
 * cache (4 KiB) or in a hugetlbfs file (2 MiB, 1 GiB with MFD_HUGETLB). MADV_DONTNEED between passes drops
 * the page-table entries, not the pages, so a timed pass allocates and zeroes nothing, as a dax fault would
 * not. Touches are writes: a read fault on a page-cache file maps up to 16 pages at once (fault-around),
 * which Device-DAX does not do.
 *
 *   kernel-faults PAGE BYTES STRIDE MODE REPEAT
 *
 *   PAGE    4k, 2m or 1g: the memfd's page size
 *   BYTES   the mapping's size (a multiple of PAGE)
 *   STRIDE  bytes between touches: 4096 touches every 4 KiB as daxbench's populate does; PAGE touches each page once
 *   MODE    fault: drop the entries, then write one byte per touch (faults, and hits inside a huge page)
 *           hit:   read one byte per touch of the populated mapping (no fault)
 *   REPEAT  timed passes, after one untimed warm-up pass
 *
 * Prints one line per timed pass: "elapsed_ns touches minor_faults" (minor faults from getrusage, the same
 * counter /proc reports). Exit 3, with one line on stderr, when the pages cannot be had (no huge pages
 * reserved); exit 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/memfd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static long minor_faults(void)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_minflt;
}

static int usage(void)
{
	fprintf(stderr, "usage: kernel-faults 4k|2m|1g BYTES STRIDE fault|hit REPEAT\n");
	return 2;
}

/* One pass over the mapping: a write per touch (fault mode) or a read (hit mode). */
static uint64_t pass(volatile char *map, uint64_t bytes, uint64_t stride, int write)
{
	uint64_t sum = 0;
	for (uint64_t off = 0; off < bytes; off += stride) {
		if (write)
			map[off] = 1;
		else
			sum += map[off];
	}
	return sum;
}

int main(int argc, char **argv)
{
	if (argc != 6)
		return usage();
	const char *page = argv[1];
	uint64_t bytes = strtoull(argv[2], NULL, 10);
	uint64_t stride = strtoull(argv[3], NULL, 10);
	int fault = strcmp(argv[4], "fault") == 0;
	int repeat = atoi(argv[5]);
	unsigned flags;
	uint64_t page_size;
	if (strcmp(page, "4k") == 0)
		flags = 0, page_size = 4096;
	else if (strcmp(page, "2m") == 0)
		flags = MFD_HUGETLB | MFD_HUGE_2MB, page_size = 2u << 20;
	else if (strcmp(page, "1g") == 0)
		flags = MFD_HUGETLB | MFD_HUGE_1GB, page_size = 1u << 30;
	else
		return usage();
	if (!fault && strcmp(argv[4], "hit") != 0)
		return usage();
	if (bytes == 0 || bytes % page_size || stride == 0 || repeat < 1)
		return usage();

	int fd = memfd_create("daxbench-kernel", flags);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) {
		fprintf(stderr, "%s pages: memfd of %llu bytes: %s\n", page, (unsigned long long)bytes, strerror(errno));
		return 3;
	}
	/* A shared hugetlb mapping reserves its pages at mmap: ENOMEM here means too few huge pages. */
	char *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s pages: mmap of %llu bytes: %s\n", page, (unsigned long long)bytes, strerror(errno));
		return 3;
	}
	/* shmem may back a 4 KiB memfd with transparent huge pages (shmem_enabled): this case is about 4 KiB faults. */
	if (flags == 0)
		madvise(map, bytes, MADV_NOHUGEPAGE);
	pass(map, bytes, 4096, 1); /* every page now exists in the file: no timed pass allocates or zeroes */
	for (int rep = -1; rep < repeat; rep++) {
		if (fault && madvise(map, bytes, MADV_DONTNEED) != 0) {
			fprintf(stderr, "%s pages: madvise(MADV_DONTNEED): %s\n", page, strerror(errno));
			return 3;
		}
		long faults_before = minor_faults();
		uint64_t start = now_ns();
		pass(map, bytes, stride, fault);
		uint64_t elapsed = now_ns() - start;
		long faults = minor_faults() - faults_before;
		if (rep >= 0) /* the first pass warms the code and the caches: not printed */
			printf("%llu %llu %ld\n", (unsigned long long)elapsed, (unsigned long long)((bytes + stride - 1) / stride), faults);
	}
	return 0;
}
