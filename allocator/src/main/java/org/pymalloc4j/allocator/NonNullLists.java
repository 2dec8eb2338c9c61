package org.pymalloc4j.allocator;

import java.util.List;
import java.util.Objects;

/** Immutable copies of the lists the public API is given, refusing a null list or element by name. */
final class NonNullLists {
    private NonNullLists() {
    }

    /**
     * An immutable copy of {@code list}. {@link List#copyOf} alone refuses a null element with
     * an exception that has no message.
     *
     * @throws NullPointerException naming {@code what} if {@code list} is null, and the index of
     *                              the first null element if one is
     */
    static <T> List<T> copyOf(List<T> list, String what) {
        Objects.requireNonNull(list, what);
        int i = 0;
        for (T element : list) {
            if (element == null) {
                throw new NullPointerException(what + "[" + i + "] is null");
            }
            i++;
        }
        return List.copyOf(list);
    }
}
