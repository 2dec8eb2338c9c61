/*
 * aligned_arenas.h -- an arena allocator for PyObject_SetArenaAllocator whose
 * arenas are 1 MiB aligned, as pymalloc4j's are, so that every arena has 64
 * pools and nothing is lost to alignment; with plain mmap an arena's base is
 * only page aligned, and whether it has 63 or 64 pools depends on ASLR.
 * Included by pymalloc_replay.c (the fidelity recordings) and
 * pymalloc_record.c (`pymalloc4j record`); needs ARENA_SIZE, <errno.h>,
 * <stdint.h> and <sys/mman.h>.
 */
#ifndef PYMALLOC4J_ALIGNED_ARENAS_H
#define PYMALLOC4J_ALIGNED_ARENAS_H

/* Arenas are ARENA_SIZE aligned (so each has 64 pools and
 * nothing is lost to alignment) and placed deterministically: the lowest
 * free ARENA_SIZE slot above FIXED_ARENA_BASE (16 TiB, inside one radix-tree
 * MID/BOT subtree).  If the kernel refuses that, fall back to mmap'ing
 * 2 * ARENA_SIZE anywhere and trimming it to an aligned arena. */
#define FIXED_ARENA_BASE ((uintptr_t)1 << 44)
#define FIXED_ARENA_SLOTS ((uintptr_t)1 << 14)

static void *
aligned_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
#ifdef MAP_FIXED_NOREPLACE
    for (uintptr_t i = 0; i < FIXED_ARENA_SLOTS; i++) {
        void *want = (void *)(FIXED_ARENA_BASE + i * ARENA_SIZE);
        void *p = mmap(want, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                       -1, 0);
        if (p == want)
            return p;
        if (p != MAP_FAILED) {      /* old kernel: flag ignored, hint only */
            munmap(p, size);
            break;
        }
        if (errno != EEXIST)
            break;
    }
#endif
    size_t len = size + ARENA_SIZE;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)p + ARENA_SIZE - 1) & ~(uintptr_t)(ARENA_SIZE - 1);
    size_t head = a - (uintptr_t)p;
    if (head)
        munmap(p, head);
    size_t tail = len - head - size;
    if (tail)
        munmap((char *)a + size, tail);
    return (void *)a;
}

static void
aligned_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    munmap(ptr, size);
}

#endif
