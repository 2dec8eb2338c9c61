package org.pymalloc4j.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScratchGcTest {
    @Test
    void weakrefFreedByItsCallbackCounts() {
        try (ObjectSpace s = ObjectSpace.builder().traceRefs(true).build()) {
            s.gc().disable();
            long cls = s.classes().newClass(ClassSpec.named("A").slots(1).weakReferenceable());
            long holder = s.lists().newList();
            s.gc().collect();
            long a = GcTestSupport.selfCycle(s, cls);
            long wr = s.weakrefs().newRef(a, w -> s.lists().clear(holder));
            s.lists().append(holder, wr);
            s.decref(wr);
            s.decref(a);
            assertEquals(2, s.gc().collect());
            assertEquals(new Collector.GenerationStats(2, 2, 0), s.gc().getStats().get(2));
            s.checkInvariants();
            s.decref(holder);
            s.decref(cls);
        }
    }
}
