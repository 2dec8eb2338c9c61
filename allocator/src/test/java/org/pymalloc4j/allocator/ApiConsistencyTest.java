package org.pymalloc4j.allocator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One public concept, one name and one type across the allocator's exported classes. */
class ApiConsistencyTest {

    private static Class<?> returnType(Class<?> owner, String method) throws NoSuchMethodException {
        return owner.getMethod(method).getReturnType();
    }

    @Test
    void everyLiveBlockCountIsALong() throws NoSuchMethodException {
        for (Class<?> owner : new Class<?>[] {LibcAllocator.class, MemoryDomain.class, DebugHooks.class}) {
            assertEquals(long.class, returnType(owner, "liveBlocks"), owner.getSimpleName() + ".liveBlocks()");
        }
    }

    /**
     * An implementation's own {@code @throws} tags replace the interface's in the rendered Javadoc
     * ({@code {@inheritDoc}} brings the description only): each must name the interface's too.
     */
    @Test
    void everyBlockAllocatorImplementationDocumentsTheInterfacesThrows() throws IOException {
        Path sources = Path.of("src/main/java/org/pymalloc4j/allocator");
        String contract = Files.readString(sources.resolve("BlockAllocator.java"));
        for (String type : new String[] {"PyMalloc", "MemoryDomain", "LibcAllocator"}) {
            String source = Files.readString(sources.resolve(type + ".java"));
            for (String method : new String[] {"malloc(", "calloc(", "realloc(", "free(long"}) {
                Set<String> documented = throwsOf(source, method);
                Set<String> required = throwsOf(contract, method);
                assertTrue(required.size() > 0, "BlockAllocator." + method + " documents its throws");
                assertTrue(documented.containsAll(required), type + "." + method + "): Javadoc @throws "
                        + documented + " lacks some of the interface's " + required);
            }
        }
    }

    /** The exceptions the {@code @throws} tags of the Javadoc before the first method named so declare. */
    private static Set<String> throwsOf(String source, String method) {
        Matcher m = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@\\w+\\s*)*(?:public\\s+)?(?:default\\s+)?\\w+\\s+"
                + Pattern.quote(method), Pattern.DOTALL).matcher(source);
        assertTrue(m.find(), method + " with a Javadoc comment");
        Set<String> names = new TreeSet<>();
        Matcher tag = Pattern.compile("@throws\\s+(\\w+)").matcher(m.group(1));
        while (tag.find()) {
            names.add(tag.group(1));
        }
        return names;
    }

    /** As MemoryCorruptionException's and the object layer's exceptions: what they carry survives serialization. */
    @Test
    void exceptionsKeepWhatTheyCarryThroughSerialization() throws IOException, ClassNotFoundException {
        InvalidAddressException invalid = roundTrip(new InvalidAddressException("free(0x1230): not a live block", 0x1230));
        assertEquals(0x1230, invalid.address());
        MemoryLimitExceededError limit = roundTrip(new MemoryLimitExceededError("malloc(5000): a raw block", 5000, 700, 4096));
        assertEquals("malloc(5000): a raw block", limit.what());
        assertEquals(5000, limit.requested());
        assertEquals(700, limit.inUse());
        assertEquals(4096, limit.limit());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T roundTrip(T thrown) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(thrown);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            T read = (T) in.readObject();
            assertEquals(thrown.getMessage(), read.getMessage());
            return read;
        }
    }

    /** PoolInfo.sizeClass() and Geometry.sizeClass(size) name a size class's index so; SizeClassStats too. */
    @Test
    void aSizeClassIndexIsCalledSizeClass() throws NoSuchMethodException {
        for (Class<?> owner : new Class<?>[] {PoolInfo.class, SizeClassStats.class}) {
            assertEquals(int.class, returnType(owner, "sizeClass"), owner.getSimpleName() + ".sizeClass()");
        }
        assertEquals(3, new SizeClassStats(3, Geometry.blockSize(3), 1, 2, 3).sizeClass());
    }
}
