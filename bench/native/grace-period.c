/*
 * The real kernel's grace period on this machine, for `daxbench kernel`: membarrier(MEMBARRIER_CMD_GLOBAL)
 * returns once every CPU has passed a quiescent state, which the kernel gets by calling synchronize_rcu()
 * (kernel/sched/membarrier.c) on a machine with more than one CPU online. What the 2016 patch's teardown
 * waited for, timed from user space: the call's own entry and exit are a few hundred nanoseconds of it.
 *
 *   grace-period REPEAT
 *
 *   REPEAT  timed calls, after one untimed warm-up call
 *
 * Prints one line per timed call: "elapsed_ns". Exit 3, with one line on stderr, when the kernel does not
 * offer the command (no membarrier, or nohz_full CPUs, where it is refused); exit 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static long membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

int main(int argc, char **argv)
{
	int repeat = argc == 2 ? atoi(argv[1]) : 0;
	if (repeat < 1) {
		fprintf(stderr, "usage: grace-period REPEAT\n");
		return 2;
	}
	long offered = membarrier(MEMBARRIER_CMD_QUERY);
	if (offered < 0) {
		fprintf(stderr, "membarrier: %s\n", strerror(errno));
		return 3;
	}
	if (!(offered & MEMBARRIER_CMD_GLOBAL)) {
		fprintf(stderr, "membarrier does not offer MEMBARRIER_CMD_GLOBAL here (nohz_full CPUs refuse it)\n");
		return 3;
	}
	for (int call = -1; call < repeat; call++) {
		uint64_t start = now_ns();
		if (membarrier(MEMBARRIER_CMD_GLOBAL) != 0) {
			fprintf(stderr, "membarrier(MEMBARRIER_CMD_GLOBAL): %s\n", strerror(errno));
			return 3;
		}
		uint64_t elapsed = now_ns() - start;
		if (call >= 0) /* the first call brings the code in: not printed */
			printf("%llu\n", (unsigned long long)elapsed);
	}
	return 0;
}
