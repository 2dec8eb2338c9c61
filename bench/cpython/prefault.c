/*
 * prefault.c -- what a fresh page costs, and what asking for it in advance saves.
 *
 * pymalloc (CPython's and pymalloc4j's) takes its arenas from anonymous mmap, and each page
 * of an arena is backed by the kernel at its first write: one page fault per 4 KiB. A batch
 * of 100,000 blocks that are all freed again maps and unmaps its arenas every round, so its
 * time is mostly these faults. pymalloc4j populates each freshly carved pool in one madvise
 * (MADV_POPULATE_WRITE, Linux 5.14+) before its first write (RawAllocator.populate); this
 * program times the four ways of bringing in a 1 MiB arena, page by page:
 *
 *   lazy faults              mmap, then a write to each page (CPython 3.11)
 *   MAP_POPULATE             mmap with every page populated
 *   POPULATE_WRITE, arena    one madvise over the whole arena
 *   POPULATE_WRITE, pool     one madvise per 16 KiB pool (pymalloc4j)
 *
 * Build and run:  cc -O2 bench/cpython/prefault.c -o /tmp/prefault && /tmp/prefault
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum { ARENA = 1 << 20, POOL = 1 << 14, PAGE = 4096, ROUNDS = 200 };

static double
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int
main(void)
{
    static const char *names[] = {"lazy faults", "MAP_POPULATE", "POPULATE_WRITE, arena",
                                  "POPULATE_WRITE, pool"};
    printf("%-22s  %12s  %12s\n", "1 MiB arena", "us an arena", "us a page");
    for (int mode = 0; mode < 4; mode++) {
        double start = now_ns();
        for (int r = 0; r < ROUNDS; r++) {
            int flags = MAP_PRIVATE | MAP_ANONYMOUS | (mode == 1 ? MAP_POPULATE : 0);
            char *p = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, flags, -1, 0);
            if (p == MAP_FAILED) {
                perror("mmap");
                return 1;
            }
            if (mode == 2 && madvise(p, ARENA, MADV_POPULATE_WRITE) != 0) {
                perror("madvise(MADV_POPULATE_WRITE)");
                return 1;
            }
            for (long o = 0; o < ARENA; o += PAGE) {
                if (mode == 3 && o % POOL == 0 && madvise(p + o, POOL, MADV_POPULATE_WRITE) != 0) {
                    perror("madvise(MADV_POPULATE_WRITE)");
                    return 1;
                }
                p[o] = 1;
            }
            munmap(p, ARENA);
        }
        double per_arena = (now_ns() - start) / ROUNDS / 1e3;
        printf("%-22s  %12.0f  %12.2f\n", names[mode], per_arena, per_arena / (ARENA / PAGE));
    }
    return 0;
}
