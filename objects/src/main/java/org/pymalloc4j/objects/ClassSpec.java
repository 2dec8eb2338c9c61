package org.pymalloc4j.objects;

import java.util.Objects;

/**
 * What {@link ClassApi#newClass(ClassSpec)} makes: Python's
 * {@code class Name: __slots__ = (...)}, optionally with {@code '__weakref__'} among the slots
 * and a {@code __del__}. Immutable; each method returns a new spec.
 * <pre>
 *  long node = space.classes().newClass(ClassSpec.named("Node").slots(2).weakReferenceable()
 *          .finalizer(self -&gt; System.out.println("del " + Long.toHexString(self))));
 * </pre>
 *
 * @param name            the class's {@code tp_name}
 * @param slots           reference slots per instance, 0 to {@link ClassApi#MAX_SLOTS}
 * @param isWeakReferenceable instances have a weakref list ({@code '__weakref__'} in {@code __slots__}: 8 more bytes)
 * @param finalizer       {@code __del__} as PEP 442's {@code tp_finalize}, or null
 * @param legacyFinalizer a {@code tp_del}, or null: cycles through such instances are uncollectable
 *                        and end in {@link Collector#garbage()}, as before Python 3.4
 */
public record ClassSpec(String name, int slots, boolean isWeakReferenceable, Finalizer finalizer,
                        Finalizer legacyFinalizer) {
    /** A finalizer: called with the object (borrowed), which it may resurrect by storing a new reference. */
    @FunctionalInterface
    public interface Finalizer {
        void finalize(long self);
    }

    /**
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code slots} is outside 0..{@link ClassApi#MAX_SLOTS}, or
     *                                  if {@code name} holds a NUL character or a lone surrogate (its
     *                                  UTF-8 C string, {@code tp_name}, could not spell it; CPython's
     *                                  {@code type()} refuses both)
     */
    public ClassSpec {
        Objects.requireNonNull(name, "name");
        if (slots < 0 || slots > ClassApi.MAX_SLOTS) {
            throw new IllegalArgumentException("slots must be in [0, " + ClassApi.MAX_SLOTS + "], was " + slots);
        }
        checkName(name);
    }

    /** CPython's {@code type_new}: a ValueError for a NUL, a UnicodeEncodeError for a lone surrogate. */
    private static void checkName(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("type name must not contain null characters: " + name.replace("\0", "\\x00"));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(
                        "type name must be encodable in UTF-8: lone surrogate U+%04X at index %d", (int) c, i));
            }
        }
    }

    /**
     * A class without slots, weakrefs or finalizers.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} holds a NUL character or a lone surrogate
     */
    public static ClassSpec named(String name) {
        return new ClassSpec(name, 0, false, null, null);
    }

    /**
     * {@code n} reference slots per instance.
     *
     * @throws IllegalArgumentException if {@code n} is outside 0..{@link ClassApi#MAX_SLOTS}
     */
    public ClassSpec slots(int n) {
        return new ClassSpec(name, n, isWeakReferenceable, finalizer, legacyFinalizer);
    }

    /** {@code '__weakref__'} among the slots: instances can be weakly referenced. */
    public ClassSpec weakReferenceable() {
        return new ClassSpec(name, slots, true, finalizer, legacyFinalizer);
    }

    /**
     * {@code __del__}: run at most once per object, when its refcount reaches 0 or the collector finds it unreachable.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public ClassSpec finalizer(Finalizer f) {
        return new ClassSpec(name, slots, isWeakReferenceable, Objects.requireNonNull(f, "finalizer"), legacyFinalizer);
    }

    /**
     * A {@code tp_del}: run whenever the refcount reaches 0; never by the collector.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public ClassSpec legacyFinalizer(Finalizer f) {
        return new ClassSpec(name, slots, isWeakReferenceable, finalizer, Objects.requireNonNull(f, "legacyFinalizer"));
    }
}
