package org.pymalloc4j.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryLimitExceededError;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.objects.GcTestSupport.selfList;

/**
 * Event-based collection: an allocation refused by the memory limit runs a full collection
 * and is tried once more, if automatic collection is enabled; disabled, the error stands and
 * the space stays consistent and usable.
 */
class CollectOnMemoryTest {
    /** Room for the static objects and a few thousand lists over them. */
    private static final long LIMIT = 4L << 20;
    /** Far more 2-cycles of lists than fit under {@link #LIMIT} at once (about 200 bytes each). */
    private static final int CYCLES = 100_000;

    /** Makes {@link #CYCLES} garbage 2-cycles of lists, dropping each at once, even the one an error cuts short. */
    private static void makeGarbageCycles(ObjectSpace s) {
        for (int n = 0; n < CYCLES; n++) {
            long a = 0;
            long b = 0;
            try {
                a = s.lists().newList();
                b = s.lists().newList();
                s.lists().append(a, b);
                s.lists().append(b, a);
            } finally {
                for (long o : new long[] {b, a}) {
                    if (o != 0) {
                        s.decref(o);
                    }
                }
            }
        }
    }

    private static ObjectSpace limitedSpace(Memory memory) {
        return ObjectSpace.builder().memory(memory).traceRefs(true).build();
    }

    @Test
    void runningOutOfMemoryCollectsAndRetriesWhenCollectionIsEnabled() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.setThreshold(0); // no collection by allocation count, but automatic collection stays enabled
            assertTrue(gc.isEnabled());
            makeGarbageCycles(s);
            long memoryCollections = gc.getMemoryCollections();
            assertTrue(memoryCollections > 0, "collections run because memory ran out: " + memoryCollections);
            assertEquals(memoryCollections, gc.getStats().get(2).collections(), "each was a full collection");
            assertTrue(memory.bytesFromOs() <= LIMIT);
            gc.collect();
            assertEquals(2L * CYCLES, gc.getStats().get(2).collected(), "every cycle collected, once");
            s.checkInvariants();
            assertEquals(0, s.liveObjectCount());
        }
    }

    @Test
    void withCollectionDisabledTheErrorStandsAndTheSpaceStaysUsable() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.disable();
            long keep = s.lists().newList();
            long one = s.ints().newInt(1 << 20);
            s.lists().append(keep, one);
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> makeGarbageCycles(s));
            assertTrue(e.getMessage().contains(String.format(Locale.ROOT,
                    "a new arena of 1,048,576 bytes would exceed the memory limit of %,d bytes", LIMIT)), e.getMessage());
            assertEquals(0, gc.getMemoryCollections());
            s.checkInvariants();
            assertEquals(one, s.lists().get(keep, 0), "what was alive is untouched");
            assertTrue(gc.collect() > 0);
            s.checkInvariants();
            assertEquals(2, s.liveObjectCount(), () -> "only keep and one are left: " + s.liveObjects());
            s.decref(selfList(s)); // allocating works again
            assertEquals(1, gc.collect());
            s.decref(one);
            s.decref(keep);
            assertEquals(0, s.liveObjectCount());
        }
    }
    /** gc().garbage(): "@throws OutOfMemoryError if, on first use, the memory refuses the list". */
    @Test
    void gcGarbageThatCannotBeMadeOnFirstUseThrowsAndCanBeMadeLater() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            s.gc().setThreshold(0);
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            int[] counts = s.gc().getCount();
            long live = s.liveObjectCount();
            long memoryCollections = s.gc().getMemoryCollections();
            assertThrows(MemoryLimitExceededError.class, () -> s.gc().garbage());
            assertEquals(memoryCollections, s.gc().getMemoryCollections(), "no collection runs for it");
            assertArrayEquals(counts, s.gc().getCount());
            assertEquals(live, s.liveObjectCount());
            for (long o : filler) {
                s.decref(o);
            }
            long garbage = s.gc().garbage();
            assertEquals(0, s.lists().size(garbage));
            assertEquals(garbage, s.gc().garbage());
            s.checkInvariants();
        }
    }

    @Test
    void aCollectionThatCannotGrowGcGarbageStillFinishesAndLosesNothing() {
        // CPython's handle_legacy_finalizers: a failed PyList_Append(gc.garbage, op) is cleared and
        // ends the appending; the finalizers still go back to the old generation
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.disable();
            long garbage = gc.garbage();
            long cls = s.classes().newClass(ClassSpec.named("L").slots(1).legacyFinalizer(self -> { }));
            int cycles = 2_000;
            for (int n = 0; n < cycles; n++) {
                s.decref(GcTestSupport.selfCycle(s, cls));
            }
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            assertEquals(cycles, gc.collect(), "found, though gc.garbage could not grow to hold them all");
            long saved = s.lists().size(garbage);
            assertTrue(saved < cycles, "memory was full: " + saved);
            assertEquals(new Collector.GenerationStats(1, 0, cycles), gc.getStats().get(2));
            for (long o : filler) {
                s.decref(o);
            }
            assertEquals(cycles - saved, gc.collect(), "the cycles not saved are tracked still, and found again");
            assertEquals(cycles, s.lists().size(garbage));
            s.checkInvariants();
            s.lists().clear(garbage);
            s.decref(cls);
        }
    }

    /**
     * The collection an append's refused item array runs may run finalizers, and one may change
     * that very list (here it empties it, freeing the array): the retry must grow the list as it
     * is after the collection, not realloc the array it read before, which is freed by then.
     */
    @Test
    void anAppendRetriedAfterAFinalizerEmptiedTheListGrowsTheListAsItIsNow() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.disable();
            long list = s.lists().newList();
            for (int i = 0; i < 8; i++) {
                s.lists().append(list, s.none()); // capacity 8: the next append reallocates the array
            }
            long cls = s.classes().newClass(ClassSpec.named("Emptier").slots(1).finalizer(self -> s.lists().clear(list)));
            s.decref(GcTestSupport.selfCycle(s, cls));
            long item = s.floats().newFloat(0.5);
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            gc.enable();
            s.lists().append(list, item); // the array's growth is refused, the collection empties the list
            assertEquals(1, gc.getMemoryCollections(), "the append ran a collection for memory");
            assertEquals(1, s.lists().size(list), "the item appended to the emptied list");
            assertEquals(item, s.lists().get(list, 0));
            assertEquals(2, s.refcount(item));
            s.checkInvariants();
            for (long o : filler) {
                s.decref(o);
            }
            s.decref(item);
            s.decref(list);
            s.decref(cls);
            s.gc().collect();
            s.checkInvariants();
        }
    }

    /**
     * dicts().set's refused keys table runs a collection whose finalizer may store into the same
     * dict (here, after freeing two other dicts' tables, so its own store and the retry both find
     * room): the retry must store into the dict as it is then, not install the table it was
     * making over the one the finalizer gave the dict.
     */
    @Test
    void aDictSetRetriedAfterAFinalizerStoredIntoTheDictKeepsBothItems() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.disable();
            long d = s.dicts().newDict();
            long[] spare = new long[2];
            for (int i = 0; i < spare.length; i++) { // each owns an 8-slot general table, the size d's first item needs
                spare[i] = s.dicts().newDict();
                s.dicts().set(spare[i], s.none(), s.none());
            }
            long theirs = s.ints().newInt(1001);
            long ours = s.ints().newInt(1002);
            long cls = s.classes().newClass(ClassSpec.named("Storer").slots(1).finalizer(self -> {
                for (long spareDict : spare) {
                    s.decref(spareDict);
                }
                s.dicts().set(d, theirs, theirs);
            }));
            s.decref(GcTestSupport.selfCycle(s, cls));
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            List<Long> blocks = new ArrayList<>();
            Fill.untilRefused(blocks, () -> memory.obj().malloc(160)); // no room left in the tables' size class either
            gc.enable();
            s.dicts().set(d, ours, ours); // its table is refused; the collection's finalizer stores first
            assertEquals(1, gc.getMemoryCollections(), "the set ran a collection for memory");
            assertEquals(2, s.dicts().size(d));
            assertEquals(theirs, s.dicts().get(d, theirs));
            assertEquals(ours, s.dicts().get(d, ours));
            s.checkInvariants();
            for (long block : blocks) {
                memory.obj().free(block);
            }
            for (long o : filler) {
                s.decref(o);
            }
            for (long o : new long[] {d, theirs, ours, cls}) {
                s.decref(o);
            }
            gc.collect();
            s.checkInvariants();
        }
    }

    /**
     * lists().append: "@throws OutOfMemoryError if the item array cannot grow, even after a full
     * collection; the list is as it was and keeps no reference to item" (collection disabled
     * here: the error stands at once).
     */
    @Test
    void anAppendWhoseArrayCannotGrowLeavesTheListAsItWas() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            s.gc().disable();
            long list = s.lists().newList();
            for (int i = 0; i < 8; i++) {
                s.lists().append(list, s.none()); // capacity 8: the next append reallocates the array
            }
            long item = s.floats().newFloat(0.5);
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> s.lists().append(list, item));
            assertTrue(e.getMessage().contains(String.format(Locale.ROOT, "would exceed the memory limit of %,d bytes", LIMIT)),
                    e.getMessage());
            assertEquals(8, s.lists().size(list));
            assertEquals(8, s.lists().capacity(list));
            assertEquals(1, s.refcount(item), "no reference kept to the item");
            s.checkInvariants();
            for (long o : filler) {
                s.decref(o);
            }
            s.lists().append(list, item);
            assertEquals(9, s.lists().size(list));
            s.decref(item);
            s.decref(list);
            assertEquals(0, s.liveObjectCount());
        }
    }

    /** Allocates lists, then floats, into {@code filler} until the memory limit refuses more. */
    private static void fillMemory(ObjectSpace s, List<Long> filler) {
        Fill.listsThenFloats(s, filler);
    }

    @Test
    void aClassWhoseNameCannotBeHadLeavesNoTypeObjectBehind() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            long live = s.liveObjectCount();
            String name = "N".repeat((int) (2 * LIMIT)); // its C string alone is over the limit
            // @throws OutOfMemoryError if the type object or its name cannot be had, even after a
            //                          full collection; nothing is left behind
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> s.classes().newClass(name, 1));
            assertEquals(name.length() + 1, e.requested(), "the C string, NUL-terminated: " + e.getMessage());
            assertTrue(e.getMessage().contains(String.format(Locale.ROOT, "of %,d bytes would exceed", name.length() + 1)),
                    e.getMessage());
            assertEquals(live, s.liveObjectCount(), () -> "nothing left: " + s.liveObjects());
            s.checkInvariants();
            s.decref(s.classes().newClass("Fits", 1));
        }
    }

    /**
     * The same clause when the name is had and the type object is not: the name's block goes
     * back too. A 16-byte block freed once the memory is full makes room for the name; the type
     * object (424 bytes with its GC head) needs a pool of its class, so a new arena, refused.
     */
    @Test
    void aClassWhoseTypeObjectCannotBeHadGivesBackItsName() {
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            long room = memory.mem().malloc(8);
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            memory.mem().free(room);
            long live = s.liveObjectCount();
            long memBlocks = memory.mem().liveBlocks();
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> s.classes().newClass("C", 1));
            assertTrue(e.getMessage().contains("a new arena of 1,048,576 bytes would exceed the memory limit"), e.getMessage());
            assertEquals(memBlocks, memory.mem().liveBlocks(), "the name's block was left behind");
            assertEquals(live, s.liveObjectCount(), () -> "nothing left: " + s.liveObjects());
            for (long o : filler) {
                s.decref(o);
            }
            s.checkInvariants();
            s.decref(s.classes().newClass("Fits", 1));
        }
    }

    @Test
    void aDictWhoseFirstItemCannotBeStoredStaysUntracked() {
        // 3.11's insert_to_emptydict: the keys object first, MAINTAIN_TRACKING only once it exists
        try (Memory memory = Memory.builder().limit(LIMIT).build();
             ObjectSpace s = limitedSpace(memory)) {
            Collector gc = s.gc();
            gc.disable();
            long d = s.dicts().newDict();
            long k = s.ints().newInt(1000);
            long v = s.lists().newList();
            List<Long> filler = new ArrayList<>();
            fillMemory(s, filler);
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> s.dicts().set(d, k, v));
            assertTrue(e.getMessage().contains(String.format(Locale.ROOT, "would exceed the memory limit of %,d bytes", LIMIT)),
                    e.getMessage());
            assertFalse(gc.isTracked(d), "nothing stored: still untracked");
            assertEquals(1, s.refcount(v));
            for (long o : filler) {
                s.decref(o);
            }
            s.dicts().set(d, k, v);
            assertTrue(gc.isTracked(d), "a list stored: tracked");
            s.checkInvariants();
            for (long o : new long[] {d, k, v}) {
                s.decref(o);
            }
        }
    }
}
