/*
 * Native read-side pairs, for calibrating the wasm figures (`daxbench native`): each thread runs
 * lock; load alive; unlock in batches of 4096 until the duration ends, and the program prints ns per pair
 * per thread (each thread's own time, summed, over every pair), as liburcu's benchmarks report "ns per read".
 * Threads start together at a barrier and time themselves from there, as the wasm workers time themselves
 * around their batches: thread creation is not in the figure, and every thread runs at least one batch, so
 * a thread the scheduler starts late still counts (on a loaded machine it may start after the stop).
 *
 *   readside SCHEME THREADS MILLISECONDS
 *   readside handover 2 COUNT
 *
 * Built once per flavour: plain (percpu, mutex, rwlock, refcount, percpu-ref, seqlock, the operations load, cas,
 * random-load, and handover),
 * -DFLAVOR_MEMB (urcu-memb), -DFLAVOR_QSBR (urcu-qsbr).
 *
 * handover is not a loop of batches: two threads hand a futex word back and forth COUNT times each, each
 * sleeping in FUTEX_WAIT until the other's FUTEX_WAKE (the wasm core's bench_futex_handover does the same with
 * memory.atomic.wait32/notify). A hand-over wakes a sleeper only when the partner got to sleep before the word
 * moved; those are timed, from just before the word moved to the sleeper's return, and it prints their mean
 * latency: ns per wake-up.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE /* liburcu's inline fast paths, as its own benchmarks use */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if !defined(FLAVOR_MEMB) && !defined(FLAVOR_QSBR)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(FLAVOR_MEMB)
#include <urcu/urcu-memb.h>
#elif defined(FLAVOR_QSBR)
#include <urcu/urcu-qsbr.h>
#endif

#define BATCH 4096

static atomic_int alive = 1;
static atomic_int stop;

struct worker { int id; unsigned long pairs; double ns; };
static pthread_barrier_t start_line;

#if defined(FLAVOR_MEMB) || defined(FLAVOR_QSBR)
static unsigned long batch(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++) {
#if defined(FLAVOR_MEMB)
		urcu_memb_read_lock();
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		urcu_memb_read_unlock();
#else
		urcu_qsbr_read_lock();
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		urcu_qsbr_read_unlock();
#endif
	}
#if defined(FLAVOR_QSBR)
	urcu_qsbr_quiescent_state(); /* between batches, as the wasm qsbr scheme's readers go offline */
#endif
	return seen;
}
#else
/* The plain build: one loop per flavour, chosen once (as the wasm core compiles one loop per read side). */

static atomic_int srcu_idx;
/* SRCU's per-CPU counters, one 64-byte line per thread: lock[2], unlock[2]. As many as the threads asked for
 * (main): the host bounds the count, as it bounds the wasm workers (host/run/matrix.ts, maxWorkers). */
struct percpu_counters {
	_Alignas(64) atomic_ulong lock[2], unlock[2];
	atomic_int online; /* percpu-ref's RCU-sched read side: QSBR's online counter, as in the core */
	atomic_long ref; /* percpu-ref's count of this thread's gets less its puts */
};
static struct percpu_counters *counters;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;

/* percpu: per-thread seq-cst counters, the wasm rcu scheme's read side */
static unsigned long batch_percpu(int id)
{
	unsigned long seen = 0;
	for (int i = 0; i < BATCH; i++) {
		int idx = atomic_load(&srcu_idx) & 1;
		atomic_store(&counters[id].lock[idx], atomic_load_explicit(&counters[id].lock[idx], memory_order_relaxed) + 1);
		seen += atomic_load(&alive);
		atomic_store(&counters[id].unlock[idx], atomic_load_explicit(&counters[id].unlock[idx], memory_order_relaxed) + 1);
	}
	return seen;
}

static unsigned long batch_mutex(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++) {
		pthread_mutex_lock(&mutex);
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		pthread_mutex_unlock(&mutex);
	}
	return seen;
}

static unsigned long batch_rwlock(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++) {
		pthread_rwlock_rdlock(&rwlock);
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		pthread_rwlock_unlock(&rwlock);
	}
	return seen;
}

/* refcount: refcount_inc_not_zero() and its put on one shared word, the wasm refcount scheme's read side */
static atomic_int refcount = 1;
static unsigned long batch_refcount(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++) {
		int count = atomic_load(&refcount);
		while (count != 0 && !atomic_compare_exchange_weak(&refcount, &count, count + 1))
			;
		if (count == 0)
			continue;
		seen += atomic_load(&alive);
		atomic_fetch_sub(&refcount, 1);
	}
	return seen;
}

/* percpu-ref: percpu_ref_tryget_live() and percpu_ref_put() while live, a count on the thread's own line
 * (this_cpu_inc: a plain add), inside a batch the thread is online for, as the wasm percpu-ref scheme's */
static atomic_int percpu_ref_dead;
static unsigned long batch_percpu_ref(int id)
{
	unsigned long seen = 0;
	atomic_store(&counters[id].online, 1);
	for (int i = 0; i < BATCH; i++) {
		if (atomic_load(&percpu_ref_dead))
			continue;
		atomic_store_explicit(&counters[id].ref, atomic_load_explicit(&counters[id].ref, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		seen += atomic_load(&alive);
		if (!atomic_load(&percpu_ref_dead))
			atomic_store_explicit(&counters[id].ref,
					      atomic_load_explicit(&counters[id].ref, memory_order_relaxed) - 1,
					      memory_order_relaxed);
	}
	atomic_store(&counters[id].online, 0);
	return seen;
}

/* seqlock: read_seqbegin(), the load of alive, read_seqretry(), as refscale's seqlock reader and the wasm
 * seqlock scheme's read side */
static atomic_int sequence;
static unsigned long batch_seqlock(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++) {
		int begun, value;
		do {
			while ((begun = atomic_load(&sequence)) & 1)
				;
			value = atomic_load(&alive);
		} while (atomic_load(&sequence) != begun);
		seen += value;
	}
	return seen;
}

/* load: no read side, only the seq-cst load of alive that the wasm none scheme's loop makes */
static unsigned long batch_load(int id)
{
	unsigned long seen = 0;
	(void)id;
	for (int i = 0; i < BATCH; i++)
		seen += atomic_load(&alive);
	return seen;
}

/* cas: one uncontended compare-and-swap on the thread's own line, what an install costs at least */
static unsigned long batch_cas(int id)
{
	unsigned long seen = 0;
	for (int i = 0; i < BATCH; i++) {
		unsigned long v = atomic_load_explicit(&counters[id].lock[0], memory_order_relaxed);
		seen += atomic_compare_exchange_strong(&counters[id].lock[0], &v, v + 1);
	}
	return seen;
}

/* random-load: a load of a random entry of a table the size of the model's pte table for a 64 MiB mapping
 * (16,384 entries), drawn as the core draws a random page: xorshift64*, then multiply-shift range reduction */
#define RANDOM_PAGES 16384
static _Atomic unsigned long table[RANDOM_PAGES];
static unsigned long batch_random_load(int id)
{
	static _Thread_local unsigned long x;
	unsigned long seen = 0;
	if (x == 0)
		x = 0x9e3779b97f4a7c15UL * (unsigned long)(id + 1);
	for (int i = 0; i < BATCH; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		unsigned long r = x * 0x2545f4914f6cdd1dUL;
		seen += atomic_load_explicit(&table[((r >> 32) * RANDOM_PAGES) >> 32], memory_order_relaxed);
	}
	return seen;
}

/* handover: the word counts the hand-overs; thread `turn` moves it when its parity is turn's, as the core does */
static atomic_int handover_word;
static _Atomic long handover_stamp; /* CLOCK_MONOTONIC ns just before the word moved */
static long handover_count;
static long woken[2];
static double woken_ns[2];

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *handover(void *arg)
{
	int turn = *(int *)arg;
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < handover_count; i++) {
		int seen = atomic_load(&handover_word);
		while ((seen & 1) != turn) {
			/* 0: woken by a FUTEX_WAKE; -1 (EAGAIN): the word had moved before it slept */
			int slept = syscall(SYS_futex, &handover_word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0) == 0;
			seen = atomic_load(&handover_word);
			if (slept && (seen & 1) == turn) {
				woken_ns[turn] += now_ns() - atomic_load(&handover_stamp);
				woken[turn]++;
			}
		}
		atomic_store(&handover_stamp, now_ns());
		atomic_store(&handover_word, seen + 1);
		syscall(SYS_futex, &handover_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	return NULL;
}

static int run_handover(const char *threads, const char *count)
{
	if (atoi(threads) != 2 || atol(count) < 1) {
		fprintf(stderr, "readside: handover takes 2 threads and a positive count\n");
		return 2;
	}
	handover_count = atol(count);
	static int turns[2] = { 0, 1 };
	pthread_t tids[2];
	pthread_barrier_init(&start_line, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&tids[i], NULL, handover, &turns[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(tids[i], NULL);
	if (woken[0] + woken[1] == 0) {
		fprintf(stderr, "readside: no hand-over of %ld woke a sleeper\n", handover_count);
		return 1;
	}
	printf("%.3f\n", (woken_ns[0] + woken_ns[1]) / (woken[0] + woken[1]));
	return 0;
}

static unsigned long (*batch)(int id);

static int choose_batch(const char *name)
{
	static const struct { const char *name; unsigned long (*batch)(int); } flavours[] = {
		{ "percpu", batch_percpu }, { "mutex", batch_mutex }, { "rwlock", batch_rwlock },
		{ "load", batch_load }, { "cas", batch_cas }, { "random-load", batch_random_load },
		{ "refcount", batch_refcount }, { "percpu-ref", batch_percpu_ref }, { "seqlock", batch_seqlock },
	};
	for (unsigned i = 0; i < sizeof(flavours) / sizeof(flavours[0]); i++) {
		if (strcmp(name, flavours[i].name) == 0) {
			batch = flavours[i].batch;
			return 0;
		}
	}
	return -1;
}
#endif

static void *run(void *arg)
{
	struct worker *w = arg;
	unsigned long sink = 0;
#if defined(FLAVOR_MEMB)
	urcu_memb_register_thread();
#elif defined(FLAVOR_QSBR)
	urcu_qsbr_register_thread();
#endif
	struct timespec start, end;
	pthread_barrier_wait(&start_line);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		sink += batch(w->id);
		w->pairs += BATCH;
	} while (!atomic_load_explicit(&stop, memory_order_relaxed));
	clock_gettime(CLOCK_MONOTONIC, &end);
	w->ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
#if defined(FLAVOR_MEMB)
	urcu_memb_unregister_thread();
#elif defined(FLAVOR_QSBR)
	urcu_qsbr_unregister_thread();
#endif
	return (void *)sink;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: readside SCHEME THREADS MILLISECONDS\n");
		return 2;
	}
#if !defined(FLAVOR_MEMB) && !defined(FLAVOR_QSBR)
	if (strcmp(argv[1], "handover") == 0)
		return run_handover(argv[2], argv[3]);
	if (choose_batch(argv[1]) != 0) {
		fprintf(stderr,
			"readside: %s is not one of percpu, mutex, rwlock, refcount, percpu-ref, seqlock, load, cas, "
			"random-load, handover\n", argv[1]);
		return 2;
	}
	for (int i = 0; i < RANDOM_PAGES; i++)
		table[i] = 1; /* present, as the populated mapping's entries are */
#endif
	int threads = atoi(argv[2]);
	long ms = atol(argv[3]);
	if (threads < 1 || ms < 1) {
		fprintf(stderr, "readside: threads and milliseconds must be positive\n");
		return 2;
	}
	struct worker *workers = calloc(threads, sizeof *workers);
	pthread_t *tids = calloc(threads, sizeof *tids);
	int no_memory = !workers || !tids;
#if !defined(FLAVOR_MEMB) && !defined(FLAVOR_QSBR)
	counters = aligned_alloc(64, threads * sizeof *counters);
	no_memory = no_memory || !counters;
	if (counters)
		memset(counters, 0, threads * sizeof *counters);
#endif
	if (no_memory) {
		fprintf(stderr, "readside: no memory for %d threads\n", threads);
		return 1;
	}
	struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
	pthread_barrier_init(&start_line, NULL, threads + 1);
	for (int i = 0; i < threads; i++) {
		workers[i].id = i;
		pthread_create(&tids[i], NULL, run, &workers[i]);
	}
	pthread_barrier_wait(&start_line);
	nanosleep(&pause, NULL);
	atomic_store(&stop, 1);
	unsigned long pairs = 0;
	double ns = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		pairs += workers[i].pairs;
		ns += workers[i].ns;
	}
	/* DAXBENCH_INJECT=no-pairs: how the tests reach the branch below, which no duration they can give does. */
	const char *inject = getenv("DAXBENCH_INJECT");
	if (inject && strcmp(inject, "no-pairs") == 0)
		pairs = 0;
	if (pairs == 0) { /* unreachable (every thread runs a batch) but for the injection: no figure, rather than a division by zero */
		fprintf(stderr, "no read-side pair completed in %ld ms\n", ms);
		return 3;
	}
	printf("%.3f\n", ns / pairs);
	return 0;
}
