/** pymalloc4j's object layer: CPython-compatible native objects over the pymalloc heap. */
module org.pymalloc4j.objects {
    requires transitive org.pymalloc4j.allocator;
    exports org.pymalloc4j.objects;
}
