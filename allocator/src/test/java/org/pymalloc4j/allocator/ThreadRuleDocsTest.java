package org.pymalloc4j.allocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.DocComments;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the docs say about threads where a reader would otherwise guess wrong: the allocator's
 * state takes no locks (one owner at a time, README "Using the heap"), and the classes below
 * must say so where libc, CPython or the JDK would lead a user to expect otherwise.
 */
class ThreadRuleDocsTest {
    private static final String SOURCES = "src/main/java/org/pymalloc4j/allocator";

    private static void says(String where, String text, String... phrases) {
        for (String phrase : phrases) {
            assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains(phrase.toLowerCase(java.util.Locale.ROOT)),
                    where + " does not say \"" + phrase + "\": " + text);
        }
    }

    /**
     * CPython's raw domain needs no GIL: {@code PyMem_RawMalloc} may be called from any thread,
     * and an allocator set on it must be thread-safe (cpython/pymem.h, 3.11). Here the RAW domain
     * counts its blocks, and LibcAllocator records them and charges the limit, without locks:
     * a CPython user, or anyone who knows libc's malloc is thread-safe, would call them from
     * any thread. The docs must say they are one thread at a time, and where libc from any
     * thread is.
     */
    @Test
    void theRawLayerSaysItIsOneThreadAtATimeUnlikeCPythons() throws IOException {
        says("Domain.RAW's Javadoc", DocComments.ofMember(SOURCES, "Domain", "RAW('r')"), "GIL", "one thread at a time",
                "RawAllocator");
        says("MemoryDomain's Javadoc", DocComments.ofType(SOURCES, "MemoryDomain"), "one thread at a time");
        says("LibcAllocator's Javadoc", DocComments.ofType(SOURCES, "LibcAllocator"), "one thread at a time");
        says("RawAllocator's Javadoc", DocComments.ofType(SOURCES, "RawAllocator"), "from any thread");
        String readme = DocComments.plain(Files.readString(Path.of("../README.md")));
        says("README.md", readme, "CPython's RAW domain needs no GIL");
    }

    /**
     * The plug-ins a user writes, arena and block allocators, are called on the thread that
     * uses the heap or the memory; one instance given to heaps or memories used on different
     * threads is called from those threads at once (CPython's, process-wide, run under the GIL).
     * The interfaces must say so, and that the default every heap shares, mmap(), is safe so.
     */
    @Test
    void theAllocatorInterfacesSayWhichThreadsCallThem() throws IOException {
        says("ArenaAllocator's Javadoc", DocComments.ofType(SOURCES, "ArenaAllocator"), "thread", "thread-safe");
        says("ArenaAllocator.mmap()'s Javadoc", DocComments.ofMember(SOURCES, "ArenaAllocator", "static ArenaAllocator mmap()"),
                "any thread");
        says("BlockAllocator's Javadoc", DocComments.ofType(SOURCES, "BlockAllocator"), "thread", "thread-safe");
    }

    /**
     * close() unmaps the arenas and frees the libc blocks: a call another thread is still making
     * on the heap goes on in memory that is gone (a child JVM whose main thread closed a heap a
     * second thread was allocating from died with SIGSEGV in the allocating thread). Nothing
     * detects it, while close's Javadoc named only another thread's native call, which it does
     * refuse; each close must say it (ObjectSpace's: the objects module's ThreadRuleDocsTest).
     */
    @Test
    void closeSaysAnotherThreadsCallMayCrashTheJvm() throws IOException {
        says("PyMalloc.close()'s Javadoc", DocComments.ofMember(SOURCES, "PyMalloc", "public void close()"),
                "another thread", "crash the JVM");
        says("Memory.close()'s Javadoc", DocComments.ofMember(SOURCES, "Memory", "public void close()"),
                "another thread", "crash the JVM");
    }
}
