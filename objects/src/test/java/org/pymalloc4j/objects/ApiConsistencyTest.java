package org.pymalloc4j.objects;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One public concept, one name and one type across the object layer's exported classes. */
class ApiConsistencyTest {

    @Test
    void aClassSpecSaysWeakReferenceableUnderOneName() {
        ClassSpec plain = ClassSpec.named("C");
        ClassSpec weak = plain.weakReferenceable();
        assertFalse(plain.isWeakReferenceable());
        assertTrue(weak.isWeakReferenceable());
        assertEquals(Arrays.asList("name", "slots", "isWeakReferenceable", "finalizer", "legacyFinalizer"),
                Arrays.stream(ClassSpec.class.getRecordComponents()).map(RecordComponent::getName).toList());
    }

    /** isChecked() is a space's own mode; the JVM-wide mode of the heaps is a constant, not a static isChecked(). */
    @Test
    void isCheckedIsAnInstanceMethodOnlyAndTheHeapsModeAConstant() throws ReflectiveOperationException {
        for (Class<?> owner : new Class<?>[] {PyMalloc.class, ObjectSpace.class}) {
            for (Method m : owner.getMethods()) {
                if (m.getName().equals("isChecked")) {
                    assertFalse(Modifier.isStatic(m.getModifiers()), owner.getSimpleName() + ".isChecked() is static");
                }
            }
        }
        assertFalse(Modifier.isStatic(ObjectSpace.class.getMethod("isChecked").getModifiers()));
        int modifiers = PyMalloc.class.getField("CHECKS").getModifiers();
        assertTrue(Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers));
        assertEquals(PyMalloc.class.getField("CHECKS").getBoolean(null), ObjectSpace.CHECKS_DEFAULT);
    }

    /** ClassSpec's withers refuse what its constructor refuses (GcApiBadInputTest); their Javadoc says so. */
    @Test
    void classSpecsMethodsDocumentWhatTheyThrow() throws IOException {
        String source = Files.readString(Path.of("src/main/java/org/pymalloc4j/objects/ClassSpec.java"));
        assertDocumented(source, "public static ClassSpec named(String", "NullPointerException", "IllegalArgumentException");
        assertDocumented(source, "public ClassSpec slots(int", "IllegalArgumentException");
        assertDocumented(source, "public ClassSpec finalizer(Finalizer", "NullPointerException");
        assertDocumented(source, "public ClassSpec legacyFinalizer(Finalizer", "NullPointerException");
        assertThrows(NullPointerException.class, () -> ClassSpec.named(null));
        assertThrows(IllegalArgumentException.class, () -> ClassSpec.named("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> ClassSpec.named("C").slots(-1));
        assertThrows(IllegalArgumentException.class, () -> ClassSpec.named("C").slots(ClassApi.MAX_SLOTS + 1));
        assertThrows(NullPointerException.class, () -> ClassSpec.named("C").finalizer(null));
        assertThrows(NullPointerException.class, () -> ClassSpec.named("C").legacyFinalizer(null));
    }

    private static void assertDocumented(String source, String signature, String... exceptions) {
        Matcher m = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*" + Pattern.quote(signature), Pattern.DOTALL).matcher(source);
        assertTrue(m.find(), signature + " has a Javadoc comment");
        for (String exception : exceptions) {
            assertTrue(m.group(1).contains("@throws " + exception), signature + ") lacks @throws " + exception);
        }
    }

    /** ObjectSpace's liveObjects() is a list and liveObjectCount() its size: a LeakReport's names mean the same. */
    @Test
    void anObjectsMethodIsAListAndAnObjectCountALong() {
        int seen = 0;
        for (Class<?> owner : new Class<?>[] {ObjectSpace.class, LeakReport.class, Collector.class}) {
            for (Method m : owner.getMethods()) {
                if (m.getName().endsWith("Objects") && m.getParameterCount() == 0) {
                    assertEquals(List.class, m.getReturnType(), owner.getSimpleName() + "." + m.getName() + "()");
                    seen++;
                } else if (m.getName().endsWith("ObjectCount")) {
                    assertEquals(long.class, m.getReturnType(), owner.getSimpleName() + "." + m.getName() + "()");
                    seen++;
                }
            }
        }
        assertEquals(4, seen, "liveObjects, liveObjectCount, leakedObjectCount, getObjects");
    }

    /** Trace-refs mode is isTraceRefs() on the space and on the report it leaves. */
    @Test
    void aLeakReportSaysTraceRefsModeAsTheSpaceDoes() {
        try (ObjectSpace traced = ObjectSpace.builder().traceRefs(true).build();
             ObjectSpace untraced = ObjectSpace.create()) {
            assertTrue(traced.isTraceRefs() && traced.leakReport().isTraceRefs());
            assertFalse(untraced.isTraceRefs() || untraced.leakReport().isTraceRefs());
        }
    }

    /** The object layer's public records refuse null parts; each constructor's Javadoc says so. */
    @Test
    void recordConstructorsDocumentTheirNullRefusals() throws IOException {
        for (String record : new String[] {"LiveObject", "LayoutTable", "LeakReport"}) {
            String source = Files.readString(Path.of("src/main/java/org/pymalloc4j/objects/" + record + ".java"));
            assertDocumented(source, "public " + record + " {", "NullPointerException");
        }
        assertDocumented(Files.readString(Path.of("src/main/java/org/pymalloc4j/objects/LayoutTable.java")),
                "public Row {", "NullPointerException");
        assertThrows(NullPointerException.class, () -> new LiveObject(16, "int", 1, 0, null));
        assertThrows(NullPointerException.class, () -> new LayoutTable.Row(0, 8, "Py_ssize_t", "ob_refcnt", null));
        assertThrows(NullPointerException.class, () -> new LayoutTable("float", null, List.of()));
        assertThrows(NullPointerException.class, () -> new LeakReport(0, null, false));
        assertEquals(Optional.empty(), new LiveObject(16, "int", 1, 0).traceback());
    }
}
