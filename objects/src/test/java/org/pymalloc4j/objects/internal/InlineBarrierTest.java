package org.pymalloc4j.objects.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The methods C2 must call rather than inline are larger than its {@code FreqInlineSize}, the
 * bytecode size past which it inlines no method however hot (325 bytes on x86-64 and AArch64):
 * Java has no "noinline", so that size is the barrier (see {@link Tuples#dealloc}).
 */
class InlineBarrierTest {
    /** HotSpot's {@code FreqInlineSize} on the platforms the project runs on. */
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void tupleDeallocationIsTooLargeForC2ToInline() throws IOException {
        int length = codeLength(Tuples.class, "dealloc", "(J)V");
        assertTrue(length > FREQ_INLINE_SIZE, "Tuples.dealloc has " + length
                + " bytes of bytecode; C2 inlines hot methods up to " + FREQ_INLINE_SIZE);
    }

    private static int codeLength(Class<?> c, String name, String descriptor) throws IOException {
        ClassModel model;
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            assertNotNull(in, "the class file of " + c.getName());
            model = ClassFile.of().parse(in.readAllBytes());
        }
        for (MethodModel m : model.methods()) {
            if (m.methodName().equalsString(name) && m.methodType().equalsString(descriptor)) {
                return m.findAttribute(java.lang.classfile.Attributes.code())
                        .map(CodeAttribute::codeLength)
                        .orElseThrow(() -> new AssertionError(name + descriptor + " has no code"));
            }
        }
        throw new AssertionError(c.getName() + " has no method " + name + descriptor);
    }
}
