/*
 * Native read-side pairs, for calibrating the wasm figures (`daxbench native`): each thread runs
 * lock; load alive; unlock in batches of 4096 until the duration ends, and the program prints ns per pair
 * per thread (each thread's own time, summed, over every pair), as liburcu's benchmarks report "ns per read".
 * Threads start together at a barrier and time themselves from there, as the wasm workers time themselves
 * around their batches: thread creation is not in the figure, and every thread runs at least one batch, so
 * a thread the scheduler starts late still counts (on a loaded machine it may start after the stop).
 *
 *   readside SCHEME THREADS MILLISECONDS
 *
 * Built once per flavour: plain (percpu, mutex, rwlock), -DFLAVOR_MEMB (urcu-memb), -DFLAVOR_QSBR (urcu-qsbr).
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE /* liburcu's inline fast paths, as its own benchmarks use */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(FLAVOR_MEMB)
#include <urcu/urcu-memb.h>
#elif defined(FLAVOR_QSBR)
#include <urcu/urcu-qsbr.h>
#endif

#define BATCH 4096
#define MAX_THREADS 64

static atomic_int alive = 1;
static atomic_int stop;
static atomic_int srcu_idx;
/* SRCU's per-CPU counters, one 64-byte line per thread: lock[2], unlock[2]. */
static struct { _Alignas(64) atomic_ulong lock[2], unlock[2]; } counters[MAX_THREADS];
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static const char *scheme;

struct worker { int id; unsigned long pairs; double ns; };
static pthread_barrier_t start_line;

static unsigned long batch(int id)
{
	unsigned long seen = 0;
	for (int i = 0; i < BATCH; i++) {
#if defined(FLAVOR_MEMB)
		urcu_memb_read_lock();
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		urcu_memb_read_unlock();
#elif defined(FLAVOR_QSBR)
		urcu_qsbr_read_lock();
		seen += atomic_load_explicit(&alive, memory_order_relaxed);
		urcu_qsbr_read_unlock();
#else
		if (scheme[0] == 'p') { /* percpu: per-thread seq-cst counters, the wasm rcu scheme's read side */
			int idx = atomic_load(&srcu_idx) & 1;
			atomic_store(&counters[id].lock[idx], atomic_load_explicit(&counters[id].lock[idx], memory_order_relaxed) + 1);
			seen += atomic_load(&alive);
			atomic_store(&counters[id].unlock[idx], atomic_load_explicit(&counters[id].unlock[idx], memory_order_relaxed) + 1);
		} else if (scheme[0] == 'm') {
			pthread_mutex_lock(&mutex);
			seen += atomic_load_explicit(&alive, memory_order_relaxed);
			pthread_mutex_unlock(&mutex);
		} else {
			pthread_rwlock_rdlock(&rwlock);
			seen += atomic_load_explicit(&alive, memory_order_relaxed);
			pthread_rwlock_unlock(&rwlock);
		}
#endif
	}
#if defined(FLAVOR_QSBR)
	urcu_qsbr_quiescent_state(); /* between batches, as the wasm qsbr scheme's readers go offline */
#endif
	return seen;
}

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
	scheme = argv[1];
	int threads = atoi(argv[2]);
	long ms = atol(argv[3]);
	if (threads < 1 || threads > MAX_THREADS || ms < 1) {
		fprintf(stderr, "readside: threads must be 1..%d and milliseconds positive\n", MAX_THREADS);
		return 2;
	}
	struct worker workers[MAX_THREADS] = {0};
	pthread_t tids[MAX_THREADS];
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
