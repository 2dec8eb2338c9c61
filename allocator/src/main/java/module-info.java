/**
 * pymalloc4j's allocator: the raw layer (libc malloc and mmap through FFM downcalls) and
 * the pymalloc small-object heap with CPython's statistics.
 *
 * <p>The module calls restricted FFM methods, so it must be granted native access:
 * {@code --enable-native-access=org.pymalloc4j.allocator} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
module org.pymalloc4j.allocator {
    exports org.pymalloc4j.allocator;
    // Native memory access and layouts for the layers above; not an API.
    exports org.pymalloc4j.allocator.internal to org.pymalloc4j.objects, org.pymalloc4j.bench;
}
