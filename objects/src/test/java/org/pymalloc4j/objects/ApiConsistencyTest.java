package org.pymalloc4j.objects;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
