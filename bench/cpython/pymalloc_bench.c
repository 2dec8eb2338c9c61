/*
 * pymalloc_bench.c -- CPython's side of `pymalloc4j bench`.
 *
 * Runs the patterns of the JMH benchmarks through CPython's own C code
 * (libpython3, the interpreter this was compiled against) and prints one
 * machine-readable line per figure:
 *
 *     NAME VALUE UNIT
 *
 * Commands:
 *   pymalloc_bench [--quick] time [GROUP...]   the timed patterns, all or the named
 *   groups (pair batch mix objects gc), each timed right beside its JMH benchmarks:
 *     pair.N      PyObject_Malloc(N) + PyObject_Free, N = 16 64 256 512, one block of the
 *                 class kept live (as the JMH pymalloc pair keeps one)          ns/op
 *     batch.N     100,000 blocks of N bytes (16 64 256) freed in reverse; per
 *                 alloc + free                                                  ns/op
 *     randomMix   100,000 live blocks of 1..512 bytes; an op frees a random slot
 *                 and allocates a random size                                   ns/op
 *     float, tuple, emptyList   PyFloat_FromDouble / PyTuple_Pack(2, a, b) /
 *                 PyList_New(0), then Py_DECREF                                 ns/op
 *     gc.cycles   gc.collect() over 1,000,000 unreachable 2-cycles of lists ns/object
 *     gc.live.N   a full gc.collect() over N live objects (a list of N - 1 empty
 *                 lists), N = 10^4 .. 10^7; both gc figures with the interpreter's
 *                 own objects frozen first, so only the pattern's are walked      ms
 *   pymalloc_bench replay TRACE   replays an allocation trace (pymalloc_replay.c's
 *     format) through PyObject_Malloc/Realloc/Free, then frees what is left:
 *     replay.median ops/s (rounds as above), replay ops/s (the fastest single
 *     replay), replay.calls (the operations read); out of memory exits 1, naming
 *     the operation
 *   pymalloc_bench memory pymalloc|malloc   FragmentationWorkload.java's fragmenting
 *     workload, same sizes and survivors (splitmix64, seed 42): 1,000,000 blocks of
 *     1..512 bytes, then all but every tenth (by hash) freed. memory.rssStart,
 *     memory.peakRss, memory.rssAfter bytes (VmRSS, VmHWM); memory.arenas (pymalloc)
 *
 * A ns/op figure is the median of ROUNDS rounds after a warm-up round, each running
 * the pattern for at least ROUND_NS (--quick: fewer, shorter); a gc one the median of
 * single collections (cycles: 5 at most; 10^7 objects: 3 at most). The interpreter is
 * started for the object and gc patterns only.
 *
 * Built by the bench command on first use (CPythonHarness): cc -O2 against the
 * static libpython if there is one, else the shared one with an rpath.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Lives in the internal header pycore_pymem.h; exported from libpython. */
PyAPI_FUNC(int) _PyObject_DebugMallocStats(FILE *out);

#define BATCH 100000
#define LIVE 100000
#define SEQUENCE (1 << 20)
#define MAX_SIZE 512
#define CYCLES 1000000

static int rounds = 7;
static long long round_ns = 200000000LL;

static long long
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *
checked(void *p)
{
    if (p == NULL) {
        fprintf(stderr, "pymalloc_bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* splitmix64, as java.util.SplittableRandom and FragmentationWorkload use it. */
static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef long long (*pattern_fn)(long param); /* runs once, returns operations */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over the rounds of nanoseconds per operation. */
static double
measure(pattern_fn fn, long param)
{
    double per_op[64];
    for (int r = -1; r < rounds; r++) {
        long long ops = 0, start = now_ns(), elapsed;
        do {
            ops += fn(param);
            elapsed = now_ns() - start;
        } while (elapsed < round_ns);
        if (r >= 0)
            per_op[r] = (double)elapsed / (double)ops;
    }
    qsort(per_op, (size_t)rounds, sizeof(double), cmp_double);
    return per_op[rounds / 2];
}

/* ---- allocator patterns ------------------------------------------------ */

#define PAIRS_PER_CALL 100000

static long long
pair(long size)
{
    for (int i = 0; i < PAIRS_PER_CALL; i++) {
        void *p = PyObject_Malloc((size_t)size);
        PyObject_Free(p);
    }
    return PAIRS_PER_CALL;
}

static void *batch_blocks[BATCH];

static long long
batch(long size)
{
    for (int i = 0; i < BATCH; i++)
        batch_blocks[i] = checked(PyObject_Malloc((size_t)size));
    for (int i = BATCH - 1; i >= 0; i--)
        PyObject_Free(batch_blocks[i]);
    return BATCH;
}

static void *live[LIVE];
static int *mix_slots;
static int *mix_sizes;
static int mix_cursor;

/* The loops keep what they read of this file's globals in locals. The compiler reloads a
 * global after each call into libpython, and a global at the page offset of a pool header's
 * nextpool or prevpool (16-31), which most of the mix's frees and mallocs store, waits on those
 * stores (4K aliasing). Read in the loop, mix_cursor at page offset 24 made the random mix take
 * 61-65 ns, at 16 46 ns, at 40 or more 32-40; in locals, 32-40 wherever the static data land. */
static long long
random_mix(long unused)
{
    (void)unused;
    const int *slots = mix_slots, *sizes = mix_sizes;
    int i = mix_cursor;
    for (int n = 0; n < PAIRS_PER_CALL; n++) {
        int slot = slots[i];
        PyObject_Free(live[slot]);
        live[slot] = checked(PyObject_Malloc((size_t)sizes[i]));
        i = (i + 1) & (SEQUENCE - 1);
    }
    mix_cursor = i;
    return PAIRS_PER_CALL;
}

static void
time_pairs(void)
{
    static const long pair_sizes[] = {16, 64, 256, 512};
    for (size_t k = 0; k < sizeof pair_sizes / sizeof *pair_sizes; k++) {
        void *ballast = checked(PyObject_Malloc((size_t)pair_sizes[k]));
        printf("pair.%ld %.3f ns/op\n", pair_sizes[k], measure(pair, pair_sizes[k]));
        PyObject_Free(ballast);
    }
    fflush(stdout);
}

static void
time_batches(void)
{
    static const long batch_sizes[] = {16, 64, 256};
    for (size_t k = 0; k < sizeof batch_sizes / sizeof *batch_sizes; k++)
        printf("batch.%ld %.3f ns/op\n", batch_sizes[k], measure(batch, batch_sizes[k]));
    fflush(stdout);
}

static void
time_mix(void)
{
    uint64_t seed = 0x5EED0FB10CULL;
    mix_slots = checked(malloc(SEQUENCE * sizeof(int)));
    mix_sizes = checked(malloc(SEQUENCE * sizeof(int)));
    for (int i = 0; i < LIVE; i++)
        live[i] = checked(PyObject_Malloc(1 + splitmix64(&seed) % MAX_SIZE));
    for (int i = 0; i < SEQUENCE; i++) {
        mix_slots[i] = (int)(splitmix64(&seed) % LIVE);
        mix_sizes[i] = (int)(1 + splitmix64(&seed) % MAX_SIZE);
    }
    printf("randomMix %.3f ns/op\n", measure(random_mix, 0));
    for (int i = 0; i < LIVE; i++)
        PyObject_Free(live[i]);
    free(mix_slots);
    free(mix_sizes);
    fflush(stdout);
}

/* ---- object patterns (interpreter running) ----------------------------- */

static PyObject *item_a, *item_b;

static long long
float_pair(long unused)
{
    (void)unused;
    for (int i = 0; i < PAIRS_PER_CALL; i++) {
        PyObject *f = checked(PyFloat_FromDouble(1.5));
        Py_DECREF(f);
    }
    return PAIRS_PER_CALL;
}

static long long
tuple_pair(long unused)
{
    (void)unused;
    PyObject *a = item_a, *b = item_b; /* locals, as random_mix's */
    for (int i = 0; i < PAIRS_PER_CALL; i++) {
        PyObject *t = checked(PyTuple_Pack(2, a, b));
        Py_DECREF(t);
    }
    return PAIRS_PER_CALL;
}

static long long
list_pair(long unused)
{
    (void)unused;
    for (int i = 0; i < PAIRS_PER_CALL; i++) {
        PyObject *l = checked(PyList_New(0));
        Py_DECREF(l);
    }
    return PAIRS_PER_CALL;
}

static void
append_or_die(PyObject *list, PyObject *item)
{
    if (PyList_Append(list, item) != 0) {
        fprintf(stderr, "pymalloc_bench: PyList_Append failed\n");
        exit(1);
    }
}

/* gc.collect(): PyGC_Collect does nothing while the collector is disabled,
 * and it is disabled between collections so that only these run. */
static Py_ssize_t
collect(void)
{
    PyGC_Enable();
    Py_ssize_t collected = PyGC_Collect();
    PyGC_Disable();
    return collected;
}

/* gc.collect() over CYCLES fresh unreachable 2-cycles; ns per object. */
static double
collect_cycles_once(void)
{
    collect(); /* untimed: whatever the interpreter's start left (a static build leaves some) */
    for (int i = 0; i < CYCLES; i++) {
        PyObject *a = checked(PyList_New(0)), *b = checked(PyList_New(0));
        append_or_die(a, b);
        append_or_die(b, a);
        Py_DECREF(a);
        Py_DECREF(b);
    }
    long long start = now_ns();
    Py_ssize_t collected = collect();
    long long elapsed = now_ns() - start;
    if (collected != 2 * CYCLES) {
        fprintf(stderr, "pymalloc_bench: gc.collect() found %zd objects, expected %d\n",
                collected, 2 * CYCLES);
        exit(1);
    }
    return (double)elapsed / (2.0 * CYCLES);
}

/* A full collection over a list holding n - 1 empty lists; ms. */
static double
collect_live(long n)
{
    PyObject *root = checked(PyList_New(0));
    for (long i = 1; i < n; i++) {
        PyObject *l = checked(PyList_New(0));
        append_or_die(root, l);
        Py_DECREF(l);
    }
    int collections = n >= 10000000 ? (rounds > 3 ? 3 : rounds) : rounds;
    double ms[64];
    collect(); /* warm-up: moves the heap to the oldest generation */
    for (int r = 0; r < collections; r++) {
        long long start = now_ns();
        collect();
        ms[r] = (double)(now_ns() - start) / 1e6;
    }
    Py_DECREF(root);
    qsort(ms, (size_t)collections, sizeof(double), cmp_double);
    return ms[collections / 2];
}

static void time_gc(void);

static void
time_objects(int objects, int gc)
{
    Py_InitializeEx(0);
    PyGC_Disable(); /* collections only where the figures ask for them */
    item_a = PyFloat_FromDouble(1);
    item_b = PyFloat_FromDouble(2);
    if (objects) {
        printf("float %.3f ns/op\n", measure(float_pair, 0));
        printf("tuple %.3f ns/op\n", measure(tuple_pair, 0));
        printf("emptyList %.3f ns/op\n", measure(list_pair, 0));
        fflush(stdout);
    }
    if (gc)
        time_gc();
    Py_DECREF(item_a);
    Py_DECREF(item_b);
    Py_FinalizeEx();
}

/* gc.freeze(): the interpreter's own tracked objects (about 11,000 after a start with site) go to
 * the permanent generation, which no collection walks. pymalloc4j's space holds only what its
 * benchmark built; unfrozen, CPython's "10,000 live objects" pause was 0.75 ms of its own. */
static void
freeze_interpreter(void)
{
    collect();
    PyObject *gc = checked(PyImport_ImportModule("gc"));
    PyObject *none = checked(PyObject_CallMethod(gc, "freeze", NULL));
    Py_DECREF(none);
    Py_DECREF(gc);
}

static void
time_gc(void)
{
    double per_object[64];
    int cycle_rounds = rounds > 5 ? 5 : rounds;
    freeze_interpreter();
    collect_cycles_once(); /* warm-up */
    for (int r = 0; r < cycle_rounds; r++)
        per_object[r] = collect_cycles_once();
    qsort(per_object, (size_t)cycle_rounds, sizeof(double), cmp_double);
    printf("gc.cycles %.3f ns/object\n", per_object[cycle_rounds / 2]);
    fflush(stdout);
    for (long n = 10000; n <= 10000000; n *= 10) {
        printf("gc.live.%ld %.3f ms\n", n, collect_live(n));
        fflush(stdout);
    }
}

/* time [GROUP...]: the named groups, in a fixed order, or all of them. */
static int
time_groups(int n, char **groups)
{
    static const char *known[] = {"pair", "batch", "mix", "objects", "gc"};
    int want[5];
    for (int k = 0; k < 5; k++)
        want[k] = n == 0;
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int k = 0; k < 5; k++)
            if (strcmp(groups[i], known[k]) == 0)
                want[k] = found = 1;
        if (!found) {
            fprintf(stderr, "pymalloc_bench: unknown group '%s' (pair batch mix objects gc)\n", groups[i]);
            return 2;
        }
    }
    if (want[0])
        time_pairs();
    if (want[1])
        time_batches();
    if (want[2])
        time_mix();
    if (want[3] || want[4])
        time_objects(want[3], want[4]);
    return 0;
}

/* ---- trace replay ------------------------------------------------------ */

/* A trace's operations (an op byte, int slot, long long size each), its slot table. */
static struct trace {
    size_t n;
    const char *ops;
    const int *slots;
    const long long *sizes;
    void **table;
    size_t nslots;
} replay_trace; /* what `replay` read, for measure() */

/* Out of memory at operation i of a replay (comments not counted): exit 1 as checked() does;
 * cold and out of line, so the loop keeps only a never-taken branch. */
__attribute__((noreturn, noinline, cold)) static void
replay_failed(size_t i, char op, int slot, long long size)
{
    fprintf(stderr, "pymalloc_bench: out of memory at the trace's operation %zu (%c %d %lld)\n",
            i + 1, op, slot, size);
    exit(1);
}

/* One replay, then its live blocks freed as Trace.freeAll does (no PyObject_Free(NULL) for an
 * empty slot): a round of `replay`, a run of PMV_TRACE. pymalloc gives a block even for 0 bytes. */
static void
replay_once(size_t n, const char *ops, const int *slots, const long long *sizes,
            void **table, size_t nslots)
{
    for (size_t i = 0; i < n; i++) {
        void **s = &table[slots[i]];
        void *p;
        if (ops[i] == 'm')
            p = PyObject_Malloc((size_t)sizes[i]);
        else if (ops[i] == 'r')
            p = PyObject_Realloc(*s, (size_t)sizes[i]);
        else {
            PyObject_Free(*s);
            *s = NULL;
            continue;
        }
        if (p == NULL)
            replay_failed(i, ops[i], slots[i], sizes[i]);
        *s = p;
    }
    for (size_t i = 0; i < nslots; i++)
        if (table[i] != NULL) {
            PyObject_Free(table[i]);
            table[i] = NULL;
        }
}

static long long
replay_round(long unused)
{
    (void)unused;
    struct trace t = replay_trace;
    replay_once(t.n, t.ops, t.slots, t.sizes, t.table, t.nslots);
    return (long long)t.n;
}

/* Reads one operation a line with fgets and sscanf, as Trace.writeTo writes them (a line of 256
 * bytes or more would read differently here than in Java); exits 2 at a malformed operation. */
static struct trace
read_trace(const char *path)
{
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0, nslots = 0;
    char *ops = checked(malloc(cap));
    int *slots = checked(malloc(cap * sizeof(int)));
    long long *sizes = checked(malloc(cap * sizeof(long long)));
    char line[256];
    while (fgets(line, sizeof line, in) != NULL) {
        char op;
        int slot;
        long long size = 0;
        int fields = sscanf(line, " %c %d %lld", &op, &slot, &size);
        if (fields < 2 || op == '#')
            continue;
        if ((op != 'm' && op != 'r' && op != 'f') || slot < 0 || size < 0 || (op != 'f' && fields < 3)) {
            fprintf(stderr, "pymalloc_bench: %s: not m SLOT SIZE, r SLOT SIZE or f SLOT: %s", path, line);
            exit(2);
        }
        if (n == cap) {
            cap *= 2;
            ops = checked(realloc(ops, cap));
            slots = checked(realloc(slots, cap * sizeof(int)));
            sizes = checked(realloc(sizes, cap * sizeof(long long)));
        }
        ops[n] = op;
        slots[n] = slot;
        sizes[n] = size;
        nslots = (size_t)slot >= nslots ? (size_t)slot + 1 : nslots;
        n++;
    }
    fclose(in);
    return (struct trace){n, ops, slots, sizes, checked(calloc(nslots ? nslots : 1, sizeof(void *))), nslots};
}

static void
replay(const char *path)
{
    struct trace t = replay_trace = read_trace(path);
    /* JMH's figure is a mean over whole seconds of replays, so bench compares it with this: the
     * median of rounds of at least round_ns, as every timed pattern. The fastest single replay
     * below (for replay --time, fastest against fastest) ran 4-7% under that median here. */
    printf("replay.median %.0f ops/s\n", 1e9 / measure(replay_round, 0));
    double best = 0;
    for (int r = -1; r < rounds; r++) {
        long long start = now_ns();
        replay_once(t.n, t.ops, t.slots, t.sizes, t.table, t.nslots);
        double ops_per_s = (double)t.n / ((double)(now_ns() - start) / 1e9);
        if (r >= 0 && ops_per_s > best)
            best = ops_per_s;
    }
    printf("replay %.0f ops/s\n", best);
    /* The calls replayed, for the tool to check against its own parse of the trace. */
    printf("replay.calls %zu calls\n", t.n);
}

/* ---- the fragmenting workload ------------------------------------------ */

#define FRAG_BLOCKS 1000000

static long long
status_bytes(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kib = -1;
    size_t len = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            kib = atoll(line + len + 1);
    if (f != NULL)
        fclose(f);
    return kib < 0 ? -1 : kib * 1024;
}

static long long
pymalloc_arenas(void)
{
    FILE *tmp = checked(tmpfile());
    _PyObject_DebugMallocStats(tmp);
    rewind(tmp);
    char line[256];
    long long arenas = -1;
    while (fgets(line, sizeof line, tmp) != NULL)
        if (strncmp(line, "# arenas allocated current", 26) == 0) {
            arenas = 0; /* the digits of "=   1,234" */
            for (char *c = line + 26; *c; c++)
                if (*c >= '0' && *c <= '9')
                    arenas = arenas * 10 + (*c - '0');
        }
    fclose(tmp);
    return arenas;
}

static void
memory(const char *allocator)
{
    int use_pymalloc = strcmp(allocator, "pymalloc") == 0;
    if (!use_pymalloc && strcmp(allocator, "malloc") != 0) {
        fprintf(stderr, "pymalloc_bench: memory: unknown allocator '%s' (pymalloc or malloc)\n", allocator);
        exit(2);
    }
    printf("memory.rssStart %lld bytes\n", status_bytes("VmRSS"));
    void **blocks = checked(malloc(FRAG_BLOCKS * sizeof(void *)));
    uint64_t seed = 42;
    for (int i = 0; i < FRAG_BLOCKS; i++) {
        size_t size = 1 + splitmix64(&seed) % MAX_SIZE;
        blocks[i] = checked(use_pymalloc ? PyObject_Malloc(size) : malloc(size));
    }
    for (int i = 0; i < FRAG_BLOCKS; i++) {
        uint64_t h = (uint64_t)i;
        if (splitmix64(&h) % 10 != 0)
            (use_pymalloc ? PyObject_Free : free)(blocks[i]);
    }
    printf("memory.peakRss %lld bytes\n", status_bytes("VmHWM"));
    printf("memory.rssAfter %lld bytes\n", status_bytes("VmRSS"));
    if (use_pymalloc)
        printf("memory.arenas %lld count\n", pymalloc_arenas());
}

#ifndef PYMALLOC_BENCH_LIBRARY /* pymalloc_versus.c includes this file for its patterns */
int
main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "--quick") == 0) {
        rounds = 3;
        round_ns = 50000000LL;
        arg++;
    }
    const char *command = arg < argc ? argv[arg] : "";
    if (strcmp(command, "time") == 0) {
        return time_groups(argc - arg - 1, argv + arg + 1);
    } else if (strcmp(command, "replay") == 0 && arg + 2 == argc) {
        replay(argv[arg + 1]);
    } else if (strcmp(command, "memory") == 0 && arg + 2 == argc) {
        memory(argv[arg + 1]);
    } else {
        fprintf(stderr, "usage: pymalloc_bench [--quick] time [GROUP...] | replay TRACE | memory pymalloc|malloc\n");
        return 2;
    }
    return 0;
}
#endif
