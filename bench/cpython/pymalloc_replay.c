/*
 * pymalloc_replay.c -- CPython 3.11 side of the pymalloc4j fidelity test.
 *
 * Replays an allocation trace against the real pymalloc in libpython3.11
 * (PyObject_Malloc / PyObject_Realloc / PyObject_Free) and prints
 * _PyObject_DebugMallocStats(stdout), i.e. the pymalloc part of
 * sys._debugmallocstats().  The Java re-implementation replays the same
 * trace and must print the same table.
 *
 * The interpreter is NOT started (no Py_Initialize): in 3.11 the default
 * allocators and the pymalloc state are static, so PyObject_Malloc works
 * on its own, and nothing else in the process touches pymalloc.
 *
 * Trace format, one operation per line (blank lines and '#' lines ignored):
 *   m SLOT SIZE   malloc SIZE bytes into the empty slot SLOT
 *   f SLOT        free the block held by SLOT (the slot becomes empty)
 *   r SLOT SIZE   realloc the block held by SLOT; the slot holds the result
 * Slots are non-negative integers; the slot table grows as needed.
 * Errors (malformed line, malloc into an occupied slot, f/r on an empty
 * slot) print "line N: <problem>" to stderr and exit with status 2.
 *
 * Usage: pymalloc_replay [--before] [--aligned-arenas|--mixed-arenas] TRACE|-
 *   --before          also print the stats once before replaying (the
 *                     baseline state of a fresh process), followed by a
 *                     line "=== after replay ===".
 *   --aligned-arenas  install an arena allocator (PyObject_SetArenaAllocator)
 *                     whose arenas are 1 MiB aligned and at fixed addresses
 *                     (lowest free 1 MiB slot from 16 TiB up), so every arena
 *                     has 64 pools, nothing is lost to arena alignment, and
 *                     the output does not depend on ASLR.  With the default
 *                     mmap allocator an arena's base is only page aligned, so
 *                     whether arenas have 64 or 63 pools (and hence parts of
 *                     the output) changes from run to run.
 *   --mixed-arenas    the same, but arenas 1 and 3 mod 5 (from 0) start a page
 *                     past their slot and hold 63 pools: a fixed mix of both.
 *
 * Build (record-fidelity.sh does this into bench/cpython/build/):
 *   cc -O2 -Wall $(python3-config --includes) pymalloc_replay.c \
 *      -o pymalloc_replay $(python3-config --ldflags --embed)
 * (with an rpath to libpython's directory if it is not on the loader path).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Lives in the internal header pycore_pymem.h; exported from libpython. */
PyAPI_FUNC(int) _PyObject_DebugMallocStats(FILE *out);

#define ARENA_SIZE ((size_t)1 << 20) /* 3.10+ on 64-bit */

static void **slots;
static size_t nslots;
static unsigned long lineno;

static void
fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "line %lu: ", lineno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* Parse a non-negative decimal number; returns pointer after it or NULL. */
static const char *
parse_num(const char *s, size_t *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    size_t v = 0;
    while (*s >= '0' && *s <= '9') {
        size_t d = (size_t)(*s - '0');
        if (v > (SIZE_MAX - d) / 10)
            return NULL;
        v = v * 10 + d;
        s++;
    }
    *out = v;
    return s;
}

static const char *
skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

static void
ensure_slot(size_t slot)
{
    if (slot < nslots)
        return;
    size_t n = nslots ? nslots : 1024;
    while (n <= slot) {
        if (n > SIZE_MAX / 2 / sizeof(void *))
            fail("slot %zu too large", slot);
        n *= 2;
    }
    void **p = realloc(slots, n * sizeof(void *));
    if (p == NULL)
        fail("out of memory growing the slot table to %zu", n);
    memset(p + nslots, 0, (n - nslots) * sizeof(void *));
    slots = p;
    nslots = n;
}

#include "aligned_arenas.h" /* --aligned-arenas */

/* --mixed-arenas: the aligned arenas, but the 2nd, 4th, 7th, 9th... (numbers
 * 1 and 3 mod 5, counting from 0) start MIXED_SHIFT bytes past their aligned
 * slot, so they hold 63 pools and lose one to alignment, as most of CPython's
 * mmap arenas do; pymalloc4j's FidelityTest gives its heap the same pattern. */
#define MIXED_SHIFT ((size_t)4096)
static unsigned long mixed_count;

static void *
mixed_arena_alloc(void *ctx, size_t size)
{
    unsigned long n = mixed_count++;
    size_t shift = (n % 5 == 1 || n % 5 == 3) ? MIXED_SHIFT : 0;
    char *p = aligned_arena_alloc(ctx, size + shift);
    return p == NULL ? NULL : p + shift;
}

static void
mixed_arena_free(void *ctx, void *ptr, size_t size)
{
    size_t shift = (uintptr_t)ptr & (ARENA_SIZE - 1); /* 0 or MIXED_SHIFT */
    aligned_arena_free(ctx, (char *)ptr - shift, size + shift);
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: pymalloc_replay [--before] [--aligned-arenas|--mixed-arenas] TRACE|-\n");
    exit(64);
}

int
main(int argc, char **argv)
{
    int before = 0, aligned = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--before") == 0)
            before = 1;
        else if (strcmp(argv[i], "--aligned-arenas") == 0)
            aligned = 1;
        else if (strcmp(argv[i], "--mixed-arenas") == 0)
            aligned = 2;
        else if (strcmp(argv[i], "-") == 0 || argv[i][0] != '-') {
            if (path != NULL)
                usage();
            path = argv[i];
        }
        else
            usage();
    }
    if (path == NULL)
        usage();

    FILE *in = stdin;
    if (strcmp(path, "-") != 0) {
        in = fopen(path, "r");
        if (in == NULL) {
            fprintf(stderr, "pymalloc_replay: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }

    if (aligned) {
        PyObjectArenaAllocator a = {NULL, aligned_arena_alloc,
                                    aligned_arena_free};
        PyObjectArenaAllocator m = {NULL, mixed_arena_alloc,
                                    mixed_arena_free};
        PyObject_SetArenaAllocator(aligned == 2 ? &m : &a);
    }

    if (before) {
        _PyObject_DebugMallocStats(stdout);
        printf("=== after replay ===\n");
    }

    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) != -1) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        const char *s = skip_ws(line);
        if (*s == '\0' || *s == '#')
            continue;
        char op = *s++;
        if (op != 'm' && op != 'f' && op != 'r')
            fail("unknown operation '%c'", op);
        if (*s != ' ' && *s != '\t')
            fail("expected whitespace after '%c'", op);
        size_t slot, size = 0;
        s = parse_num(skip_ws(s), &slot);
        if (s == NULL)
            fail("bad or missing slot number");
        if (op != 'f') {
            if (*s != ' ' && *s != '\t')
                fail("missing size");
            s = parse_num(skip_ws(s), &size);
            if (s == NULL)
                fail("bad size");
            if (size > (size_t)PY_SSIZE_T_MAX)
                fail("size %zu too large", size);
        }
        if (*skip_ws(s) != '\0')
            fail("trailing garbage");
        ensure_slot(slot);

        switch (op) {
        case 'm': {
            if (slots[slot] != NULL)
                fail("malloc into occupied slot %zu", slot);
            void *p = PyObject_Malloc(size);
            if (p == NULL)
                fail("PyObject_Malloc(%zu) failed", size);
            memset(p, 0xAB, size); /* touch it, like a real user would */
            slots[slot] = p;
            break;
        }
        case 'f':
            if (slots[slot] == NULL)
                fail("free of empty slot %zu", slot);
            PyObject_Free(slots[slot]);
            slots[slot] = NULL;
            break;
        case 'r': {
            if (slots[slot] == NULL)
                fail("realloc of empty slot %zu", slot);
            void *p = PyObject_Realloc(slots[slot], size);
            if (p == NULL)
                fail("PyObject_Realloc(%zu) failed", size);
            slots[slot] = p;
            break;
        }
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "pymalloc_replay: read error: %s\n", strerror(errno));
        return 1;
    }
    free(line);

    _PyObject_DebugMallocStats(stdout);
    fflush(stdout);
    return 0;
}
