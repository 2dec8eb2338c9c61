package org.pymalloc4j.objects;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

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
}
