/*
 * count_calls.c -- a test's driver for pymalloc_bench.c's loops (included, as
 * pymalloc_versus.c includes them), linked with -Wl,--wrap for PyObject_Malloc,
 * PyObject_Realloc and PyObject_Free, so that it counts the calls a loop makes
 * (HarnessCallsTest compares them with the Java side's). Nothing is timed.
 *
 *   count_calls replay TRACE   reads TRACE as `pymalloc_bench replay` does,
 *                              replays it once and prints the calls made
 */
#define PYMALLOC_BENCH_LIBRARY
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* the harness's commands, not run here */
#include "pymalloc_bench.c"
#pragma GCC diagnostic pop

void *__real_PyObject_Malloc(size_t size);
void *__real_PyObject_Realloc(void *p, size_t size);
void __real_PyObject_Free(void *p);

static long long mallocs, reallocs, frees, null_frees, bytes;

void *
__wrap_PyObject_Malloc(size_t size)
{
    mallocs++;
    bytes += (long long)size;
    return __real_PyObject_Malloc(size);
}

void *
__wrap_PyObject_Realloc(void *p, size_t size)
{
    reallocs++;
    bytes += (long long)size;
    return __real_PyObject_Realloc(p, size);
}

void
__wrap_PyObject_Free(void *p)
{
    frees++;
    null_frees += p == NULL;
    __real_PyObject_Free(p);
}

int
main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "replay") != 0) {
        fprintf(stderr, "usage: count_calls replay TRACE\n");
        return 64;
    }
    struct trace t = read_trace(argv[2]);
    replay_once(t.n, t.ops, t.slots, t.sizes, t.table, t.nslots);
    printf("mallocs %lld calls\nreallocs %lld calls\nfrees %lld calls\nnullFrees %lld calls\nbytes %lld bytes\n",
           mallocs, reallocs, frees, null_frees, bytes);
    return 0;
}
