/*
 * pymalloc_record.c -- records the pymalloc calls of a real Python run as a
 * pymalloc4j trace (`pymalloc4j record` builds and runs it).
 *
 * Usage: pymalloc_record TRACE STATS PYTHON [python arguments...]
 *
 * Runs CPython's own main (Py_BytesMain) with the python arguments, as the
 * python3 executable PYTHON would: PYTHON is the program name python sees
 * (argv[0]), so sys.executable, sys.prefix and a venv are PYTHON's and a program
 * that starts sys.executable starts python, not this recorder.  With a hook on the PYMEM_DOMAIN_MEM and
 * PYMEM_DOMAIN_OBJ allocators installed before the interpreter starts: both
 * go to pymalloc in a release build, so every pymalloc call of the run, from
 * the interpreter's start-up to its finalization, is written to TRACE:
 *   m SLOT SIZE   malloc or calloc of SIZE bytes; the block goes into SLOT
 *   r SLOT SIZE   realloc of the block in SLOT to SIZE bytes
 *   f SLOT        free of the block in SLOT
 * A forked child's calls are not recorded: they are its own heap's.
 * A slot names one block from its malloc to its free (a realloc keeps it);
 * freed slot numbers are reused, the last freed first, so that the numbers
 * stay small.  After the run, STATS receives
 * _PyObject_DebugMallocStats of the heap the run leaves: replaying TRACE on
 * pymalloc4j must leave the same per-class table.
 *
 * Arenas come from an allocator that aligns them to 1 MiB, as pymalloc4j's
 * do, so every arena has 64 pools in both (with plain mmap an arena has 63
 * or 64 by the luck of ASLR, and the tables could differ for that alone).
 *
 * Exit status: the interpreter's, 70 if the trace or the report could not be
 * written or python replaced the hooks (-X dev), or 71 if the recorder's own slot table ran out of memory (the
 * message says why in both cases).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Lives in the internal header pycore_pymem.h; exported from libpython. */
PyAPI_FUNC(int) _PyObject_DebugMallocStats(FILE *out);

#define ARENA_SIZE ((size_t)1 << 20) /* 3.10+ on 64-bit */

static FILE *trace;
/* errno of the trace's first failed write, kept at once: by the end of the run
 * the interpreter's own calls have changed errno (0: no write failed) */
static int write_errno;

/* ---- address -> slot: open addressing, linear probing, backward-shift delete */

static uintptr_t *keys;   /* 0: empty */
static long *values;
static size_t capacity;   /* a power of two */
static size_t used;
static long *free_slots;  /* a stack of freed slot numbers */
static size_t free_count, free_capacity;
static long next_slot;

static size_t
bucket(uintptr_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & (capacity - 1);
}

static void
die(const char *what)
{
    fprintf(stderr, "pymalloc_record: out of memory (%s)\n", what);
    exit(71);
}

static void put(uintptr_t key, long value);

static void
grow(void)
{
    uintptr_t *old_keys = keys;
    long *old_values = values;
    size_t old_capacity = capacity;
    capacity = capacity ? capacity * 2 : 1 << 16;
    keys = calloc(capacity, sizeof *keys);
    values = malloc(capacity * sizeof *values);
    if (keys == NULL || values == NULL)
        die("the slot table");
    used = 0;
    for (size_t i = 0; i < old_capacity; i++)
        if (old_keys[i] != 0)
            put(old_keys[i], old_values[i]);
    free(old_keys);
    free(old_values);
}

static void
put(uintptr_t key, long value)
{
    if (2 * (used + 1) > capacity)
        grow();
    size_t i = bucket(key);
    while (keys[i] != 0 && keys[i] != key)
        i = (i + 1) & (capacity - 1);
    if (keys[i] == 0)
        used++;
    keys[i] = key;
    values[i] = value;
}

/* Removes key; returns its slot, or -1 if it was not there. */
static long
take(uintptr_t key)
{
    if (capacity == 0)
        return -1;
    size_t i = bucket(key);
    while (keys[i] != key) {
        if (keys[i] == 0)
            return -1;
        i = (i + 1) & (capacity - 1);
    }
    long value = values[i];
    /* Backward shift: move up each later entry of the run that may sit here. */
    size_t hole = i;
    for (size_t j = (i + 1) & (capacity - 1); keys[j] != 0; j = (j + 1) & (capacity - 1)) {
        size_t home = bucket(keys[j]);
        if (((j - home) & (capacity - 1)) >= ((j - hole) & (capacity - 1))) {
            keys[hole] = keys[j];
            values[hole] = values[j];
            hole = j;
        }
    }
    keys[hole] = 0;
    used--;
    return value;
}

static long
new_slot(void)
{
    return free_count > 0 ? free_slots[--free_count] : next_slot++;
}

static void
release_slot(long slot)
{
    if (free_count == free_capacity) {
        free_capacity = free_capacity ? free_capacity * 2 : 1 << 12;
        free_slots = realloc(free_slots, free_capacity * sizeof *free_slots);
        if (free_slots == NULL)
            die("the free slot stack");
    }
    free_slots[free_count++] = slot;
}

static void
emit(int n)
{
    if (n < 0 && write_errno == 0)
        write_errno = errno != 0 ? errno : EIO;
}

/* After the run the trace is closed: a late call is made, not recorded. */
#define RECORDING (trace != NULL)

/* ---- the hooks: the allocator below first, then the line, as tracemalloc */

static PyMemAllocatorEx below_mem, below_obj;

static void
record_new(void *block, size_t size)
{
    long slot = new_slot();
    put((uintptr_t)block, slot);
    emit(fprintf(trace, "m %ld %zu\n", slot, size));
}

static void *
hook_malloc(void *ctx, size_t size)
{
    PyMemAllocatorEx *below = ctx;
    void *block = below->malloc(below->ctx, size);
    if (block != NULL && RECORDING)
        record_new(block, size);
    return block;
}

static void *
hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemAllocatorEx *below = ctx;
    void *block = below->calloc(below->ctx, nelem, elsize);
    if (block != NULL && RECORDING)
        record_new(block, nelem * elsize); /* below refused an overflowing product */
    return block;
}

static void *
hook_realloc(void *ctx, void *ptr, size_t size)
{
    PyMemAllocatorEx *below = ctx;
    void *block = below->realloc(below->ctx, ptr, size);
    if (block == NULL || !RECORDING)
        return block; /* on failure the old block is intact: nothing happened */
    long slot = ptr != NULL ? take((uintptr_t)ptr) : -1;
    if (slot < 0) {
        record_new(block, size); /* realloc(NULL, n) is malloc(n) */
        return block;
    }
    put((uintptr_t)block, slot);
    emit(fprintf(trace, "r %ld %zu\n", slot, size));
    return block;
}

static void
hook_free(void *ctx, void *ptr)
{
    PyMemAllocatorEx *below = ctx;
    below->free(below->ctx, ptr);
    if (ptr == NULL || !RECORDING)
        return;
    long slot = take((uintptr_t)ptr);
    if (slot >= 0) {
        emit(fprintf(trace, "f %ld\n", slot));
        release_slot(slot);
    }
}

static void
hook(PyMemAllocatorDomain domain, PyMemAllocatorEx *below)
{
    PyMem_GetAllocator(domain, below);
    PyMemAllocatorEx hooked = {below, hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyMem_SetAllocator(domain, &hooked);
}

/* ---- fork: the child's calls are its own heap's, not the run's */

/* Before a fork, the trace's buffer is written out, so that the child's copy holds nothing of the parent's. */
static void
before_fork(void)
{
    if (RECORDING && fflush(trace) != 0)
        emit(-1);
}

/* In the child, the trace is closed (its empty buffer writes nothing) and the child's calls go
 * unrecorded: they went into the same file, among the parent's lines, and its exit wrote the
 * report over the parent's. */
static void
forked_child(void)
{
    if (RECORDING) {
        fclose(trace);
        trace = NULL;
    }
}

#include "aligned_arenas.h" /* 1 MiB-aligned arenas, as pymalloc4j's */

static const char *trace_path, *stats_path;

static void
write_failed(const char *path, const char *reason)
{
    fprintf(stderr, "pymalloc_record: writing %s failed: %s\n", path, reason);
    _exit(70);
}

/* Closes the trace and writes the report: when Py_BytesMain returns, or at
 * exit() if it never does (a SystemExit makes Py_Exit finalize and exit). */
static void
finish(void)
{
    if (trace == NULL)
        return;
    int closed = fclose(trace);
    int close_errno = errno;
    trace = NULL;
    if (write_errno != 0 || closed != 0)
        write_failed(trace_path, strerror(write_errno != 0 ? write_errno : close_errno));
    /* -X dev makes the interpreter set its allocators as it starts (the debug hooks on pymalloc),
     * over these hooks: the run's calls went unrecorded, and the trace is not the run's. */
    PyMemAllocatorEx mem_now, obj_now;
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &mem_now);
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &obj_now);
    if (mem_now.malloc != hook_malloc || obj_now.malloc != hook_malloc) {
        fprintf(stderr, "pymalloc_record: python replaced the recorder's allocator hooks (-X dev puts the debug hooks"
                " in their place), so its pymalloc calls were not recorded; record it without -X dev\n");
        _exit(70);
    }
    /* The report asks whether PyObject_Malloc is pymalloc's own: unhook first. */
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &below_mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &below_obj);
    FILE *stats = fopen(stats_path, "w");
    if (stats == NULL)
        write_failed(stats_path, strerror(errno));
    /* a buffer that holds the whole report (a few KiB): its writes fail, if at all, in fclose, with their errno */
    static char stats_buffer[1 << 16];
    setvbuf(stats, stats_buffer, _IOFBF, sizeof stats_buffer);
    if (_PyObject_DebugMallocStats(stats) == 0)
        write_failed(stats_path, "CPython's allocator is not pymalloc (PYTHONMALLOC set?)");
    int report_errno = ferror(stats) ? (errno != 0 ? errno : EIO) : 0; /* a report beyond the buffer */
    if (fclose(stats) != 0 && report_errno == 0)
        report_errno = errno;
    if (report_errno != 0)
        write_failed(stats_path, strerror(report_errno));
}

int
main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pymalloc_record TRACE STATS PYTHON [python arguments...]\n");
        return 64;
    }
    trace_path = argv[1];
    stats_path = argv[2];
    trace = fopen(trace_path, "w");
    if (trace == NULL) {
        fprintf(stderr, "pymalloc_record: %s: %s\n", trace_path, strerror(errno));
        return 70;
    }
    static char buffer[1 << 20];
    setvbuf(trace, buffer, _IOFBF, sizeof buffer);
    emit(fprintf(trace, "# pymalloc calls (PYMEM_DOMAIN_MEM and _OBJ) of python %s, recorded by pymalloc_record\n",
            Py_GetVersion()));

    PyObjectArenaAllocator arenas = {NULL, aligned_arena_alloc, aligned_arena_free};
    PyObject_SetArenaAllocator(&arenas);
    hook(PYMEM_DOMAIN_MEM, &below_mem);
    hook(PYMEM_DOMAIN_OBJ, &below_obj);
    if (atexit(finish) != 0 || pthread_atfork(before_fork, NULL, forked_child) != 0) {
        fprintf(stderr, "pymalloc_record: atexit or pthread_atfork failed\n");
        return 70;
    }

    /* python sees [PYTHON, args...]: its executable is PYTHON's, not the recorder's */
    int status = Py_BytesMain(argc - 3, argv + 3);
    finish();
    return status;
}
