package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * "A call on blocks or statistics after close() -> IllegalStateException" (README, checked mode
 * and bad input), for every public method of the public classes that close: the closed state is
 * reported first, whatever the arguments (negative sizes, bad alignments, null, foreign
 * addresses, segments of Java heap memory), as calloc always did. allocate(-1, 1) and free of a
 * heap segment threw IllegalArgumentException on a closed heap or memory, and a null argument a
 * NullPointerException. The methods that still answer once closed are listed, so that a new
 * public method must be placed in one table or the other.
 */
class ClosedCallsTest {
    private static final String HEAP = "this PyMalloc heap is closed";
    private static final String MEMORY = "this Memory is closed";
    private static final String LIBC = "this LibcAllocator is closed";
    private static final String HOOKS = "these DebugHooks are closed";

    /** A call after close: {@code message} null if it answers, else the IllegalStateException's message. */
    private record Call(Class<?> type, String method, String message, Executable call) {
    }

    private final List<Call> calls = new ArrayList<>();

    private void refused(Class<?> type, String method, String message, Executable... each) {
        for (Executable call : each) {
            calls.add(new Call(type, method, message, call));
        }
    }

    private void answers(Class<?> type, String method, Executable call) {
        calls.add(new Call(type, method, null, call));
    }

    @Test
    void everyPublicMethodOfAClosedObjectRefusesFirstOrIsListedAsAnswering() {
        PyMalloc other = PyMalloc.create();
        try {
            long foreign = other.malloc(16);
            MemorySegment onHeap = MemorySegment.ofArray(new byte[64]);
            MemorySegment foreignSegment = other.segment(foreign);
            heapCalls(foreign, onHeap, foreignSegment);
            memoryCalls(foreign, onHeap, foreignSegment);
            libcCalls(foreign);
            List<Executable> checks = new ArrayList<>();
            for (Call c : calls) {
                String where = c.type().getSimpleName() + "." + c.method();
                checks.add(c.message() == null ? () -> assertDoesNotThrow(c.call(), where + " answers once closed")
                        : () -> assertEquals(c.message(), assertThrows(IllegalStateException.class, c.call(), where)
                                .getMessage(), where));
            }
            assertAll(checks);
            for (Class<?> type : List.of(PyMalloc.class, Memory.class, MemoryDomain.class, LibcAllocator.class,
                    DebugHooks.class, Tracer.class)) {
                Set<String> listed = calls.stream().filter(c -> c.type() == type).map(Call::method)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(publicMethods(type), listed, type.getSimpleName() + ": every public method is listed");
            }
        } finally {
            other.close();
        }
    }

    private void heapCalls(long foreign, MemorySegment onHeap, MemorySegment foreignSegment) {
        PyMalloc heap = PyMalloc.create();
        long small = heap.malloc(16);
        long raw = heap.malloc(5000);
        heap.close();
        Class<PyMalloc> h = PyMalloc.class;
        refused(h, "malloc(long)", HEAP, () -> heap.malloc(-1), () -> heap.malloc(0), () -> heap.malloc(16),
                () -> heap.malloc(600));
        refused(h, "calloc(long,long)", HEAP, () -> heap.calloc(-1, 1), () -> heap.calloc(1, 16),
                () -> heap.calloc(Long.MAX_VALUE, 2));
        refused(h, "realloc(long,long)", HEAP, () -> heap.realloc(small, -1), () -> heap.realloc(0, -1),
                () -> heap.realloc(foreign, 16), () -> heap.realloc(raw, 32));
        refused(h, "free(long)", HEAP, () -> heap.free(0), () -> heap.free(small), () -> heap.free(raw),
                () -> heap.free(foreign), () -> heap.free(small + 8), () -> heap.free(-16));
        refused(h, "free(MemorySegment)", HEAP, () -> heap.free(MemorySegment.NULL), () -> heap.free(onHeap),
                () -> heap.free((MemorySegment) null), () -> heap.free(foreignSegment),
                () -> heap.free(MemorySegment.ofAddress(raw)));
        refused(h, "allocate(long,long)", HEAP, () -> heap.allocate(-1, 1), () -> heap.allocate(16, 3),
                () -> heap.allocate(16, 0), () -> heap.allocate(16, 8), () -> heap.allocate(16, 64),
                () -> heap.allocate(600, 16));
        refused(h, "isArenaAddress(long)", HEAP, () -> heap.isArenaAddress(small), () -> heap.isArenaAddress(-1));
        refused(h, "isLive(long)", HEAP, () -> heap.isLive(0), () -> heap.isLive(foreign));
        refused(h, "usableSize(long)", HEAP, () -> heap.usableSize(0), () -> heap.usableSize(raw));
        refused(h, "segment(long)", HEAP, () -> heap.segment(0), () -> heap.segment(small), () -> heap.segment(foreign));
        refused(h, "setArenaAllocator(ArenaAllocator)", HEAP, () -> heap.setArenaAllocator(null),
                () -> heap.setArenaAllocator(ArenaAllocator.mmap()));
        refused(h, "stats()", HEAP, heap::stats);
        refused(h, "pools()", HEAP, heap::pools);
        refused(h, "debugMallocStats()", HEAP, heap::debugMallocStats);
        refused(h, "checkInvariants()", HEAP, heap::checkInvariants);
        // The README's list of what still answers, and close again.
        answers(h, "geometry()", heap::geometry);
        answers(h, "arenaAllocator()", heap::arenaAllocator);
        answers(h, "memoryLimit()", heap::memoryLimit);
        answers(h, "bytesFromOs()", heap::bytesFromOs);
        answers(h, "isClosed()", heap::isClosed);
        answers(h, "close()", heap::close);
        answers(h, "toString()", heap::toString);
    }

    private void memoryCalls(long foreign, MemorySegment onHeap, MemorySegment foreignSegment) {
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
        long p = memory.mem().malloc(16);
        BlockAllocator debugMem = memory.getAllocator(Domain.MEM);
        DebugHooks hooks = memory.debugHooks().orElseThrow();
        Tracer tracer = memory.tracer();
        tracer.start(5);
        MemoryDomain mem = memory.mem();
        memory.close();

        Class<Memory> m = Memory.class;
        refused(m, "getAllocator(Domain)", MEMORY, () -> memory.getAllocator(null), () -> memory.getAllocator(Domain.MEM));
        LibcAllocator mine = LibcAllocator.create();
        mine.close();
        refused(m, "setAllocator(Domain,BlockAllocator)", MEMORY, () -> memory.setAllocator(Domain.MEM, null),
                () -> memory.setAllocator(null, mine), () -> memory.setAllocator(Domain.MEM, mine));
        refused(m, "wrapAllocator(Domain,UnaryOperator)", MEMORY, () -> memory.wrapAllocator(Domain.MEM, null),
                () -> memory.wrapAllocator(null, a -> a), () -> memory.wrapAllocator(Domain.MEM, a -> null));
        refused(m, "unwrapAllocator(Domain)", MEMORY, () -> memory.unwrapAllocator(null),
                () -> memory.unwrapAllocator(Domain.MEM));
        refused(m, "setupDebugHooks()", MEMORY, memory::setupDebugHooks);
        refused(m, "setArenaAllocator(ArenaAllocator)", MEMORY, () -> memory.setArenaAllocator(null),
                () -> memory.setArenaAllocator(ArenaAllocator.mmap()));
        refused(m, "pymalloc()", MEMORY, memory::pymalloc);
        refused(m, "checkInvariants()", MEMORY, memory::checkInvariants);
        refused(m, "onClose(Runnable)", MEMORY, () -> memory.onClose(null), () -> memory.onClose(() -> { }));
        refused(m, "guardClose(Supplier)", MEMORY, () -> memory.guardClose(null), () -> memory.guardClose(() -> null));
        answers(m, "raw()", memory::raw);
        answers(m, "mem()", memory::mem);
        answers(m, "obj()", memory::obj);
        answers(m, "domain(Domain)", () -> memory.domain(Domain.RAW));
        answers(m, "tracer()", memory::tracer);
        answers(m, "debugHooks()", memory::debugHooks);
        answers(m, "getArenaAllocator()", memory::getArenaAllocator);
        answers(m, "configured()", memory::configured);
        answers(m, "allocatorName()", memory::allocatorName);
        answers(m, "allocatorNameBeneathTracer()", memory::allocatorNameBeneathTracer);
        answers(m, "hasPymalloc()", memory::hasPymalloc);
        answers(m, "memoryLimit()", memory::memoryLimit);
        answers(m, "bytesFromOs()", memory::bytesFromOs);
        answers(m, "removeOnClose(Runnable)", () -> memory.removeOnClose(() -> { })); // a closing layer may call it
        answers(m, "removeCloseGuard(Supplier)", () -> memory.removeCloseGuard(() -> null));
        answers(m, "isClosed()", memory::isClosed);
        answers(m, "close()", memory::close);
        answers(m, "toString()", memory::toString);

        Class<MemoryDomain> d = MemoryDomain.class;
        refused(d, "malloc(long)", MEMORY, () -> mem.malloc(-1), () -> mem.malloc(16));
        refused(d, "calloc(long,long)", MEMORY, () -> mem.calloc(-1, 1), () -> mem.calloc(Long.MAX_VALUE, 2));
        refused(d, "realloc(long,long)", MEMORY, () -> mem.realloc(p, -1), () -> mem.realloc(foreign, 16));
        refused(d, "free(long)", MEMORY, () -> mem.free(0), () -> mem.free(p), () -> mem.free(foreign));
        refused(d, "usableSize(long)", MEMORY, () -> mem.usableSize(0), () -> mem.usableSize(p));
        refused(d, "segment(long)", MEMORY, () -> mem.segment(0), () -> mem.segment(p));
        refused(d, "allocate(long,long)", MEMORY, () -> mem.allocate(-1, 1), () -> mem.allocate(16, 3),
                () -> mem.allocate(16, 32), () -> mem.allocate(16, 8));
        refused(d, "free(MemorySegment)", MEMORY, () -> mem.free(MemorySegment.NULL), () -> mem.free(onHeap),
                () -> mem.free((MemorySegment) null), () -> mem.free(foreignSegment));
        answers(d, "domain()", mem::domain);
        answers(d, "liveBlocks()", mem::liveBlocks);
        answers(d, "allocator()", mem::allocator);
        answers(d, "toString()", mem::toString);

        Class<DebugHooks> k = DebugHooks.class;
        refused(k, "wrap(Domain,BlockAllocator)", HOOKS, () -> hooks.wrap(null, null), () -> hooks.wrap(Domain.MEM, null),
                () -> hooks.wrap(Domain.MEM, debugMem), () -> hooks.wrap(Domain.MEM, mine));
        refused(k, "setTracebackSource(LongFunction)", HOOKS, () -> hooks.setTracebackSource(null));
        refused(k, "checkFreedMemory()", HOOKS, hooks::checkFreedMemory);
        refused(k, "liveBlocks()", HOOKS, hooks::liveBlocks);
        refused(k, "quarantinedBlocks()", HOOKS, hooks::quarantinedBlocks);
        refused(k, "checkInvariants()", HOOKS, hooks::checkInvariants);
        answers(k, "isClosed()", hooks::isClosed);
        answers(k, "close()", hooks::close);
        answers(k, "toString()", hooks::toString);
        // "the hooks and their debug allocators then refuse every call"
        refused(BlockAllocator.class, "the debug allocator", HOOKS, () -> debugMem.malloc(-1), () -> debugMem.calloc(-1, 1),
                () -> debugMem.realloc(p, -1), () -> debugMem.free(0), () -> debugMem.free(foreign),
                () -> debugMem.usableSize(p));

        Class<Tracer> t = Tracer.class;
        refused(t, "start()", MEMORY, tracer::start);
        refused(t, "start(int)", MEMORY, () -> tracer.start(0), () -> tracer.start(5));
        refused(t, "stop()", MEMORY, tracer::stop);
        refused(t, "isTracing()", MEMORY, tracer::isTracing);
        refused(t, "tracebackLimit()", MEMORY, tracer::tracebackLimit);
        refused(t, "captureTraceback()", MEMORY, tracer::captureTraceback);
        refused(t, "addLayerPackage(String)", MEMORY, () -> tracer.addLayerPackage(null),
                () -> tracer.addLayerPackage("not a package"), () -> tracer.addLayerPackage("org.example"));
        refused(t, "tracedMemory()", MEMORY, tracer::tracedMemory);
        refused(t, "resetPeak()", MEMORY, tracer::resetPeak);
        refused(t, "clearTraces()", MEMORY, tracer::clearTraces);
        refused(t, "tracerMemory()", MEMORY, tracer::tracerMemory);
        refused(t, "traceCount()", MEMORY, tracer::traceCount);
        refused(t, "retag(long)", MEMORY, () -> tracer.retag(p), () -> tracer.retag(0));
        refused(t, "tracebackOf(long)", MEMORY, () -> tracer.tracebackOf(p), () -> tracer.tracebackOf(0));
        refused(t, "formatAllocationTraceback(long)", MEMORY, () -> tracer.formatAllocationTraceback(p));
        refused(t, "takeSnapshot()", MEMORY, tracer::takeSnapshot);
        answers(t, "toString()", tracer::toString);
    }

    private void libcCalls(long foreign) {
        LibcAllocator libc = LibcAllocator.create();
        long p = libc.malloc(100);
        libc.close();
        Class<LibcAllocator> l = LibcAllocator.class;
        refused(l, "malloc(long)", LIBC, () -> libc.malloc(-1), () -> libc.malloc(8));
        refused(l, "calloc(long,long)", LIBC, () -> libc.calloc(-1, 1), () -> libc.calloc(Long.MAX_VALUE, 2));
        refused(l, "realloc(long,long)", LIBC, () -> libc.realloc(p, -1), () -> libc.realloc(foreign, 8));
        refused(l, "free(long)", LIBC, () -> libc.free(0), () -> libc.free(p), () -> libc.free(foreign));
        refused(l, "usableSize(long)", LIBC, () -> libc.usableSize(0), () -> libc.usableSize(p));
        refused(l, "isLive(long)", LIBC, () -> libc.isLive(0), () -> libc.isLive(p));
        refused(l, "checkInvariants()", LIBC, libc::checkInvariants);
        answers(l, "liveBlocks()", libc::liveBlocks);
        answers(l, "liveBytes()", libc::liveBytes);
        answers(l, "close()", libc::close);
        answers(l, "toString()", libc::toString);
    }

    /** The public instance methods {@code type} declares, as {@code name(SimpleType,...)}. */
    private static Set<String> publicMethods(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Method method : type.getDeclaredMethods()) {
            int mods = method.getModifiers();
            if (Modifier.isPublic(mods) && !Modifier.isStatic(mods) && !method.isSynthetic() && !method.isBridge()) {
                names.add(method.getName() + "(" + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                        .collect(Collectors.joining(",")) + ")");
            }
        }
        return names;
    }
}
