/*
 * pymalloc_versus.c -- CPython's side of `pymalloc4j versus`.
 *
 * The timed patterns of pymalloc_bench.c (included below, so the C loops are
 * the very same), built as a shared library that the tool loads into its own
 * JVM and calls through FFM downcalls. pymalloc4j's rounds and CPython's then
 * alternate in one process: a slow spell of the machine, which on a shared VM
 * lasts minutes, hits both sides of a ratio alike.
 *
 *   pmv_start(home)   starts the interpreter, for the object patterns only
 *                     (home: its sys.prefix, or NULL): 0, or -1 if it failed
 *   pmv_begin(p, param, initial, slots, sizes)
 *                     sets pattern p up: the pair's ballast block of param
 *                     bytes, or the random mix's live blocks (initial sizes)
 *                     and its request sequence (the caller's arrays, LIVE and
 *                     SEQUENCE ints, read until pmv_end): 0, or -1 (out of
 *                     memory, with a message on stderr and nothing left
 *                     taken; or an object pattern before pmv_start)
 *   pmv_run(p, param) runs pattern p once; returns the operations done (out of
 *                     memory inside a run exits the process with status 1, as
 *                     pymalloc_bench's checked() does: a timed loop has no
 *                     way out; `versus` reports its fork's failure and message)
 *   pmv_end(p)        frees what pmv_begin took
 *
 * Layouts: built with -DPMV_PAD=N, N bytes more of this file's static data
 * come before libpython's own, so all of libpython's static data move by N
 * bytes. CPython's speed depends on where they land, by up to 2x on the random
 * mix (libpython 3.11.7 here: 36 or 72 ns a free + malloc with 192 or 8 bytes),
 * so `versus` builds several layouts and measures CPython in its fastest.
 *
 * Patterns (the PMV_* numbers, which VersusPatterns.java repeats): pair,
 * batch (param: the block size), random mix, float, 2-tuple, empty list, and
 * a trace (param: its length; initial, slots and sizes: its op bytes, int
 * slots and long long sizes, the caller's, read until pmv_end).
 * The interpreter's state belongs to the thread that started it: call every
 * function from that thread.
 */
#define PYMALLOC_BENCH_LIBRARY
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* the harness's commands, not run here */
#include "pymalloc_bench.c"
#pragma GCC diagnostic pop

enum { PMV_PAIR, PMV_BATCH, PMV_MIX, PMV_FLOAT, PMV_TUPLE, PMV_LIST, PMV_TRACE };

#ifndef PMV_PAD
#define PMV_PAD 0
#endif
/* External, so that it is kept: it moves the static data linked after it. */
char pmv_layout_pad[PMV_PAD + 1];

static void *pair_ballast;

/* PMV_TRACE: a trace's operations in the caller's arrays (an op byte, an int slot
 * and a long long size each), replayed whole a run, then what it left freed. */
static const char *trace_ops;
static const int *trace_slots;
static const long long *trace_sizes;
static long trace_length;
static void **trace_table;
static size_t trace_table_length;

/* pmv_begin's failure: the JVM that called it lives on, so say why and return -1. */
static int
out_of_memory(const char *what)
{
    fprintf(stderr, "pymalloc_versus: out of memory for %s\n", what);
    return -1;
}

static int
trace_begin(long length, const char *ops, const int *slots, const long long *sizes)
{
    size_t n = 0;
    for (long i = 0; i < length; i++)
        n = (size_t)slots[i] >= n ? (size_t)slots[i] + 1 : n;
    trace_table = calloc(n ? n : 1, sizeof(void *));
    if (trace_table == NULL)
        return out_of_memory("the trace's slot table");
    trace_table_length = n;
    trace_ops = ops;
    trace_slots = slots;
    trace_sizes = sizes;
    trace_length = length;
    return 0;
}

static long long
trace_replay(void)
{
    replay_once((size_t)trace_length, trace_ops, trace_slots, trace_sizes, trace_table, trace_table_length);
    return trace_length;
}

int
pmv_start(const char *home)
{
    if (Py_IsInitialized())
        return 0;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0; /* the JVM's signals stay the JVM's */
    config.parse_argv = 0;
    config.site_import = 0;
    PyStatus status = home == NULL ? PyStatus_Ok() : PyConfig_SetBytesString(&config, &config.home, home);
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        fprintf(stderr, "pymalloc_versus: the interpreter did not start: %s\n",
                status.err_msg != NULL ? status.err_msg : "(no message)");
        return -1;
    }
    PyGC_Disable(); /* as pymalloc_bench: no collections inside the patterns */
    item_a = PyFloat_FromDouble(1);
    item_b = PyFloat_FromDouble(2);
    return 0;
}

int
pmv_begin(int pattern, long param, const int *initial, const int *slots, const int *sizes)
{
    switch (pattern) {
    case PMV_PAIR:
        pair_ballast = PyObject_Malloc((size_t)param);
        return pair_ballast == NULL ? out_of_memory("the pair's ballast block") : 0;
    case PMV_BATCH:
        return 0;
    case PMV_MIX:
        for (int i = 0; i < LIVE; i++) {
            live[i] = PyObject_Malloc((size_t)initial[i]);
            if (live[i] == NULL) {
                while (i-- > 0) {
                    PyObject_Free(live[i]);
                    live[i] = NULL;
                }
                return out_of_memory("the random mix's live blocks");
            }
        }
        mix_slots = (int *)slots;
        mix_sizes = (int *)sizes;
        mix_cursor = 0;
        return 0;
    case PMV_FLOAT:
    case PMV_TUPLE:
    case PMV_LIST:
        return Py_IsInitialized() ? 0 : -1;
    case PMV_TRACE:
        return trace_begin(param, (const char *)initial, slots, (const long long *)sizes);
    default:
        return -1;
    }
}

long long
pmv_run(int pattern, long param)
{
    switch (pattern) {
    case PMV_PAIR:
        return pair(param);
    case PMV_BATCH:
        return batch(param);
    case PMV_MIX:
        return random_mix(0);
    case PMV_FLOAT:
        return float_pair(0);
    case PMV_TUPLE:
        return tuple_pair(0);
    case PMV_LIST:
        return list_pair(0);
    case PMV_TRACE:
        return trace_replay();
    default:
        return -1;
    }
}

void
pmv_end(int pattern)
{
    if (pattern == PMV_PAIR) {
        PyObject_Free(pair_ballast);
        pair_ballast = NULL;
    } else if (pattern == PMV_MIX) {
        for (int i = 0; i < LIVE; i++) {
            PyObject_Free(live[i]);
            live[i] = NULL;
        }
        mix_slots = NULL;
        mix_sizes = NULL;
    } else if (pattern == PMV_TRACE) {
        free(trace_table);
        trace_table = NULL;
        trace_ops = NULL;
        trace_slots = NULL;
        trace_sizes = NULL;
    }
}
