/*
 * stale_errno.c -- linked into pymalloc_record with -Wl,--wrap=fclose by
 * HarnessCallsTest: every fclose drops what is left in the stream's buffer and
 * leaves errno 0, as when the write that failed was not the last (the close
 * then succeeds) and errno has been changed since by the interpreter's work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>

int __real_fclose(FILE *f);

int
__wrap_fclose(FILE *f)
{
    __fpurge(f);
    int closed = __real_fclose(f);
    if (closed == 0)
        errno = 0;
    return closed;
}
