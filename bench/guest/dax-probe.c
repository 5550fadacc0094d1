// daxbench's probe inside the guest: the real Device-DAX driver (drivers/dax/device.c) faulted, held to its
// rules and raced against its teardown. Built static on the host (the guest has busybox and nothing else);
// every result is one line on stdout starting "@dax ", fields key=value, read by host/guest/probe-output.ts.
//
//   dax-probe faults DEV ALIGN BYTES REPEAT      write faults per page of the alignment, populate, hit
//   dax-probe rules DEV ALIGN BYTES UNBIND BIND  what mmap and a touch give in each case userspace can reach
//   dax-probe race DEV ALIGN BYTES ROUNDS UNBIND BIND SEED
//                                                readers on every CPU while the device is unbound, each round
//   dax-probe reopen-unbound DEV ALIGN UNBIND    a case that oopses 6.1: asked for by --oops-cases only
//
// UNBIND and BIND are the device_dax driver's sysfs files; the device's name is written to them.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/** Minor faults of the calling thread so far: each fault the driver served is one. */
static long minor_faults(void) {
  struct rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

static void fail(const char *what) {
  printf("@dax error what=%s errno=%d\n", what, errno);
  fflush(stdout);
  exit(1);
}

// A touch that may raise SIGBUS (a dead device, an offset past its end) or SIGSEGV: the handler jumps back
// to the touch of its own thread.
static __thread sigjmp_buf touch_return;
static __thread volatile int touch_armed;

static void on_fault_signal(int sig) {
  if (touch_armed) siglongjmp(touch_return, sig);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void catch_fault_signals(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_fault_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, NULL);
  sigaction(SIGSEGV, &action, NULL);
}

/** Writes (or reads) one byte at p; returns 0, or the signal the touch raised. */
static int touch(volatile char *p, int write) {
  int sig = sigsetjmp(touch_return, 1);
  if (sig != 0) {
    touch_armed = 0;
    return sig;
  }
  touch_armed = 1;
  if (write)
    *p = 1;
  else
    (void)*p;
  touch_armed = 0;
  return 0;
}

static const char *signal_name(int sig) {
  return sig == 0 ? "none" : sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "other";
}

static int open_device(const char *dev, int flags) {
  int fd = open(dev, flags);
  if (fd < 0) fail("open");
  return fd;
}

static char *map_device(int fd, size_t bytes) {
  char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) fail("mmap");
  return p;
}

static void write_sysfs(const char *path, const char *value) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) fail("open-sysfs");
  if (write(fd, value, strlen(value)) < 0) fail("write-sysfs");
  close(fd);
}

/** The device's name for the driver's bind and unbind files: dax0.0 of /dev/dax0.0. */
static const char *device_name(const char *dev) {
  const char *slash = strrchr(dev, '/');
  return slash ? slash + 1 : dev;
}

// ---- faults ---------------------------------------------------------------------------------------------

/** One timed pass over the mapping: a byte every `stride`, written (a fault wherever nothing is mapped) or
 *  read; prints the pass with the minor faults it took. */
static void timed_pass(const char *name, char *p, size_t bytes, size_t stride, int write, size_t align, int rep) {
  long faults = minor_faults();
  uint64_t start = now_ns();
  for (size_t off = 0; off < bytes; off += stride) {
    if (write)
      ((volatile char *)p)[off] = 1;
    else
      (void)((volatile char *)p)[off];
  }
  uint64_t elapsed = now_ns() - start;
  faults = minor_faults() - faults;
  printf("@dax fault case=%s align=%zu bytes=%zu touches=%zu faults=%ld elapsed_ns=%llu rep=%d\n", name, align,
         bytes, bytes / stride, faults, (unsigned long long)elapsed, rep);
}

/** Drops every entry of the mapping, so that the next touch faults again. */
static void zap(char *p, size_t bytes) {
  if (madvise(p, bytes, MADV_DONTNEED) != 0) fail("madvise");
}

static int faults(const char *dev, size_t align, size_t bytes, int repeat) {
  int fd = open_device(dev, O_RDWR);
  char *p = map_device(fd, bytes);
  // rep 0 is the warm-up: the driver's first faults of a namespace pay for what later ones do not.
  for (int rep = 0; rep <= repeat; rep++) {
    zap(p, bytes);
    timed_pass("fault", p, bytes, align, 1, align, rep);
    zap(p, bytes);
    timed_pass("populate", p, bytes, PAGE, 1, align, rep);
    timed_pass("hit", p, bytes, PAGE, 0, align, rep);
  }
  munmap(p, bytes);
  close(fd);
  return 0;
}

// ---- rules ----------------------------------------------------------------------------------------------

/** What a case gave: mmap's errno (0: mapped), the signal of the first touch, and the size of the entry that
 *  touch installed, as the bytes around it that a second pass reads without a fault. */
struct answer {
  int mmap_errno;
  int sig;
  size_t entry;
};

/** The entry the touch at p installed: after one write at the start of an aligned `align` block, how many
 *  of its 4 KiB pages read without a fault, times 4 KiB (align: a pmd; 4 KiB: a pte). */
static size_t entry_size(char *p, size_t align) {
  size_t mapped = 0;
  for (size_t off = 0; off < align; off += PAGE) {
    long before = minor_faults();
    (void)((volatile char *)p)[off];
    if (minor_faults() == before) mapped += PAGE;
  }
  return mapped;
}

static struct answer try_map(int fd, void *addr, size_t len, int prot, int flags, off_t offset, int write,
                             size_t align) {
  struct answer a = {0, 0, 0};
  char *p = mmap(addr, len, prot, flags, fd, offset);
  if (p == MAP_FAILED) {
    a.mmap_errno = errno;
    return a;
  }
  a.sig = touch(p, write);
  if (a.sig == 0) a.entry = entry_size(p, align < len ? align : len);
  munmap(p, len);
  return a;
}

static const char *errno_name(int e) {
  switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EOVERFLOW: return "EOVERFLOW";
    default: return "other";
  }
}

static void print_rule(const char *name, size_t align, struct answer a) {
  printf("@dax rule case=%s align=%zu mmap=%s touch=%s entry=%zu\n", name, align, errno_name(a.mmap_errno),
         a.mmap_errno ? "-" : signal_name(a.sig), a.entry);
}

/** An address aligned to `align` with `span` bytes free after it, for MAP_FIXED. */
static char *aligned_hole(size_t align, size_t span) {
  char *p = mmap(NULL, span + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("mmap-hole");
  char *aligned = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
  munmap(p, span + align);
  return aligned;
}

static int rules(const char *dev, size_t align, size_t bytes, const char *unbind, const char *bind) {
  int fd = open_device(dev, O_RDWR);
  const int rw = PROT_READ | PROT_WRITE;
  print_rule("aligned", align, try_map(fd, NULL, 2 * align, rw, MAP_SHARED, 0, 1, align));
  if (align > PAGE) {
    char *hole = aligned_hole(align, 2 * align);
    print_rule("misaligned-start", align,
               try_map(fd, hole + PAGE, align, rw, MAP_SHARED | MAP_FIXED_NOREPLACE, 0, 1, align));
    print_rule("misaligned-length", align, try_map(fd, NULL, align + PAGE, rw, MAP_SHARED, 0, 1, align));
  }
  print_rule("private", align, try_map(fd, NULL, align, rw, MAP_PRIVATE, 0, 1, align));
  off_t past = (off_t)((bytes + align - 1) / align * align);
  print_rule("offset-past-end", align, try_map(fd, NULL, align, rw, MAP_SHARED, past, 1, align));
  int ro = open_device(dev, O_RDONLY);
  print_rule("read-only-shared", align, try_map(ro, NULL, align, PROT_READ, MAP_SHARED, 0, 0, align));
  close(ro);

  // A mapping made while the device lives, then the device unbound: the mapping's touch, and a new mmap on
  // the descriptor still open. The device is bound again before this returns.
  char *p = map_device(fd, align);
  ((volatile char *)p)[0] = 1;
  write_sysfs(unbind, device_name(dev));
  struct answer touched = {0, touch(p, 1), 0};
  print_rule("disabled-touch", align, touched);
  print_rule("disabled-mmap", align, try_map(fd, NULL, align, rw, MAP_SHARED, 0, 1, align));
  munmap(p, align);
  close(fd);
  write_sysfs(bind, device_name(dev));
  return 0;
}

// ---- a case that oopses 6.1 (run only when asked) --------------------------------------------------------

/** The device re-opened while unbound, with a descriptor of before still open, then mapped: on 6.1 the open
 *  succeeds and the mmap dereferences NULL in check_vma (dax_mmap). Each answer is printed before the next
 *  call, since the next may not return. */
static int reopen_unbound(const char *dev, size_t align, const char *unbind) {
  int old = open_device(dev, O_RDWR);
  write_sysfs(unbind, device_name(dev));
  int fd = open(dev, O_RDWR);
  printf("@dax oops-case case=reopen-unbound step=open result=%s\n", fd < 0 ? errno_name(errno) : "0");
  if (fd >= 0) {
    char *p = mmap(NULL, align, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("@dax oops-case case=reopen-unbound step=mmap result=%s\n", p == MAP_FAILED ? errno_name(errno) : "0");
    close(fd);
  }
  close(old);
  return 0;
}

// ---- race -----------------------------------------------------------------------------------------------

/** Shared between the updater (main) and the readers of one round. */
struct race {
  char *map;
  size_t align;
  size_t pages;
  /** When the unbind's write() returned (0 until then): an access that starts later must SIGBUS. */
  _Atomic uint64_t unbound_at;
  _Atomic int stop;
};

struct reader {
  pthread_t thread;
  struct race *race;
  int cpu;
  uint64_t seed;
  uint64_t accesses;
  uint64_t after;       // accesses that started after the unbind returned
  uint64_t violations;  // of those, accesses that did not SIGBUS
  uint64_t sigbus;
  uint64_t first_sigbus_at;
};

static uint64_t next_random(uint64_t *state) {
  // splitmix64: one state word per reader, no shared generator.
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void *reader_main(void *arg) {
  struct reader *r = arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(r->cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
  struct race *race = r->race;
  while (!atomic_load(&race->stop)) {
    char *page = race->map + (next_random(&r->seed) % race->pages) * race->align;
    uint64_t unbound = atomic_load(&race->unbound_at);
    uint64_t started = now_ns();
    int sig = touch(page, 1);
    r->accesses++;
    if (sig == SIGBUS) {
      r->sigbus++;
      if (r->first_sigbus_at == 0) r->first_sigbus_at = now_ns();
    }
    // unbound was read before the access's clock: non-zero means the unbind had returned by then.
    if (unbound != 0 && unbound <= started) {
      r->after++;
      if (sig != SIGBUS) r->violations++;
    }
    // Re-fault the page next time: the entry goes, the mapping stays.
    if (sig == 0) madvise(page, race->align, MADV_DONTNEED);
  }
  return NULL;
}

static int race(const char *dev, size_t align, size_t bytes, int rounds, const char *unbind, const char *bind,
                uint64_t seed) {
  int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
  struct reader *readers = calloc((size_t)cpus, sizeof *readers);
  for (int round = 1; round <= rounds; round++) {
    int fd = open_device(dev, O_RDWR);
    struct race shared = {map_device(fd, bytes), align, bytes / align, 0, 0};
    for (int i = 0; i < cpus; i++) {
      readers[i] = (struct reader){.race = &shared, .cpu = i, .seed = seed * 1000003u + (uint64_t)round * 131u + i};
      pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]);
    }
    usleep(20000);  // the readers fault a live device first
    uint64_t start = now_ns();
    write_sysfs(unbind, device_name(dev));
    uint64_t returned = now_ns();
    atomic_store(&shared.unbound_at, returned);
    usleep(20000);  // and a dead one after
    atomic_store(&shared.stop, 1);
    uint64_t accesses = 0, after = 0, violations = 0, sigbus = 0, first = 0;
    for (int i = 0; i < cpus; i++) {
      pthread_join(readers[i].thread, NULL);
      accesses += readers[i].accesses;
      after += readers[i].after;
      violations += readers[i].violations;
      sigbus += readers[i].sigbus;
      if (readers[i].first_sigbus_at && (first == 0 || readers[i].first_sigbus_at < first))
        first = readers[i].first_sigbus_at;
    }
    // Afterwards every page of the mapping must SIGBUS.
    uint64_t pages_not_sigbus = 0;
    for (size_t i = 0; i < shared.pages; i++)
      if (touch(shared.map + i * align, 1) != SIGBUS) pages_not_sigbus++;
    printf("@dax race round=%d align=%zu readers=%d accesses=%llu after=%llu violations=%llu sigbus=%llu "
           "pages=%zu pages_not_sigbus=%llu unbind_ns=%llu first_sigbus_ns=%lld\n",
           round, align, cpus, (unsigned long long)accesses, (unsigned long long)after,
           (unsigned long long)violations, (unsigned long long)sigbus, shared.pages,
           (unsigned long long)pages_not_sigbus, (unsigned long long)(returned - start),
           first ? (long long)(first - start) : -1LL);
    fflush(stdout);
    munmap(shared.map, bytes);
    close(fd);
    write_sysfs(bind, device_name(dev));
  }
  free(readers);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  catch_fault_signals();
  if (argc == 6 && strcmp(argv[1], "faults") == 0)
    return faults(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0), atoi(argv[5]));
  if (argc == 7 && strcmp(argv[1], "rules") == 0)
    return rules(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0), argv[5], argv[6]);
  if (argc == 9 && strcmp(argv[1], "race") == 0)
    return race(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0), atoi(argv[5]), argv[6], argv[7],
                strtoull(argv[8], NULL, 0));
  if (argc == 5 && strcmp(argv[1], "reopen-unbound") == 0)
    return reopen_unbound(argv[2], strtoul(argv[3], NULL, 0), argv[4]);
  fprintf(stderr, "usage: dax-probe faults|rules|race|reopen-unbound ... (see bench/guest/dax-probe.c)\n");
  return 2;
}
