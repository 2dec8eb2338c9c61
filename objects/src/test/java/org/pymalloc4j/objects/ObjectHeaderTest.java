package org.pymalloc4j.objects;

import java.lang.foreign.MemoryLayout.PathElement;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ObjectHeaderTest {
    @Test
    void constantsMatchTheStructLayouts() {
        assertEquals(ObjectHeader.OB_REFCNT_OFFSET, ObjectHeader.PY_OBJECT.byteOffset(PathElement.groupElement("ob_refcnt")));
        assertEquals(ObjectHeader.OB_TYPE_OFFSET, ObjectHeader.PY_OBJECT.byteOffset(PathElement.groupElement("ob_type")));
        assertEquals(ObjectHeader.OBJECT_LENGTH, ObjectHeader.PY_OBJECT.byteSize());
        assertEquals(ObjectHeader.OB_SIZE_OFFSET, ObjectHeader.PY_VAR_OBJECT.byteOffset(PathElement.groupElement("ob_size")));
        assertEquals(ObjectHeader.VAR_OBJECT_LENGTH, ObjectHeader.PY_VAR_OBJECT.byteSize());
        assertEquals(ObjectHeader.GC_NEXT_OFFSET, ObjectHeader.PY_GC_HEAD.byteOffset(PathElement.groupElement("_gc_next")));
        assertEquals(ObjectHeader.GC_PREV_OFFSET, ObjectHeader.PY_GC_HEAD.byteOffset(PathElement.groupElement("_gc_prev")));
        assertEquals(ObjectHeader.GC_HEAD_LENGTH, ObjectHeader.PY_GC_HEAD.byteSize());
    }
}
