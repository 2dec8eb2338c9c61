package org.pymalloc4j.allocator.tracing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Domain;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.TestSupport;
import org.pymalloc4j.allocator.TracedMemory;
import org.pymalloc4j.allocator.Tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random mallocs, callocs, reallocs and frees through the three domains, with the tracer
 * started, stopped, cleared and its peak reset now and then, checked step by step against a
 * plain model of which blocks are traced and of the traced bytes and their peak.
 */
class TracerRandomModelTest {
    private static final Domain[] DOMAINS = Domain.values();

    /** A live block; {@code traced} if the model says the tracer must hold its trace. */
    private record Block(Domain domain, long size, boolean traced) {
    }

    private Memory memory;
    private Tracer tracer;
    private SplittableRandom random;
    private final Map<Long, Block> live = new HashMap<>();
    private final List<Long> addresses = new ArrayList<>();
    private boolean tracing;
    private long current;
    private long peak;

    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "MALLOC"})
    void tracerAgreesWithTheModel(AllocatorName configuration) {
        long seed = TestSupport.seed();
        random = new SplittableRandom(seed);
        try (Memory m = Memory.builder().allocator(configuration).build()) {
            memory = m;
            tracer = m.tracer();
            for (int step = 0; step < 20_000; step++) {
                String at = configuration + " seed " + seed + " step " + step;
                step(at);
                assertEquals(new TracedMemory(current, peak), tracer.tracedMemory(), at);
                assertEquals(live.values().stream().filter(Block::traced).count(), tracer.traceCount(), at);
                if (step % 500 == 0) {
                    compareTraces(at);
                    memory.checkInvariants(); // the trace table's probe invariant too, which lookups only sample
                }
            }
            compareTraces("end");
            for (long a : addresses) {
                memory.domain(live.get(a).domain).free(a);
            }
            memory.checkInvariants();
        }
    }

    private long size() {
        int kind = random.nextInt(20);
        return kind == 0 ? 0 : kind < 15 ? random.nextLong(1, 513) : random.nextLong(513, 20_000);
    }

    private void add(long address, Domain domain, long size) {
        live.put(address, new Block(domain, size, tracing));
        addresses.add(address);
        if (tracing) {
            current += size;
            peak = Math.max(peak, current);
        }
    }

    private Block remove(long address) {
        Block b = live.remove(address);
        addresses.remove(address);
        if (b.traced) {
            current -= b.size;
        }
        return b;
    }

    private void untraceAll() {
        live.replaceAll((a, b) -> new Block(b.domain, b.size, false));
        current = 0;
        peak = 0;
    }

    private void step(String at) {
        int op = random.nextInt(100);
        Domain domain = DOMAINS[random.nextInt(DOMAINS.length)];
        if (op < 30 || addresses.isEmpty()) {
            long size = size();
            add(memory.domain(domain).malloc(size), domain, size);
        } else if (op < 40) {
            long nelem = random.nextLong(0, 20);
            long elsize = random.nextLong(0, 60);
            add(memory.domain(domain).calloc(nelem, elsize), domain, nelem * elsize);
        } else if (op < 45) {
            long size = size();
            add(memory.domain(domain).realloc(0, size), domain, size);
        } else if (op < 65) {
            long old = addresses.get(random.nextInt(addresses.size()));
            Block b = live.get(old);
            long size = size();
            long moved = memory.domain(b.domain).realloc(old, size);
            remove(old);
            add(moved, b.domain, size);
        } else if (op < 95) {
            long address = addresses.get(random.nextInt(addresses.size()));
            memory.domain(remove(address).domain).free(address);
        } else if (op < 97) {
            tracer.resetPeak();
            if (tracing) {
                peak = current;
            }
        } else if (op < 98) {
            tracer.clearTraces();
            if (tracing) {
                untraceAll();
            }
        } else if (tracing) {
            tracer.stop();
            tracing = false;
            untraceAll();
        } else {
            tracer.start(1 + random.nextInt(4));
            tracing = true;
        }
        assertEquals(tracing, tracer.isTracing(), at);
    }

    private void compareTraces(String at) {
        List<String> expected = new ArrayList<>();
        for (Map.Entry<Long, Block> e : live.entrySet()) {
            Block b = e.getValue();
            assertEquals(b.traced, tracer.tracebackOf(e.getKey()).isPresent(), at + ": traced 0x" + Long.toHexString(e.getKey()));
            if (b.traced) {
                expected.add(b.domain + " " + b.size);
                assertEquals(TracerRandomModelTest.class.getName(),
                        tracer.tracebackOf(e.getKey()).orElseThrow().mostRecent().className(), at);
            }
        }
        if (!tracing) {
            assertTrue(expected.isEmpty(), at);
            return;
        }
        expected.sort(null);
        List<String> actual = tracer.takeSnapshot().traces().stream().map(t -> t.domain() + " " + t.size())
                .sorted().toList();
        assertEquals(expected, actual, at);
    }
}
