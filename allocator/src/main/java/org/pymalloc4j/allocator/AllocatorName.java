package org.pymalloc4j.allocator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The allocator configurations of CPython's {@code PYTHONMALLOC}, with the same meanings.
 * Chosen by {@link Memory.Builder#allocator} or, for {@link Memory#create()}, by the system
 * property {@value #PROPERTY}.
 *
 * <pre>
 *  name            RAW      MEM       OBJ
 *  pymalloc        malloc   pymalloc  pymalloc     (default)
 *  malloc          malloc   malloc    malloc
 *  pymalloc_debug  the pymalloc row, each domain wrapped in the debug hooks
 *  malloc_debug    the malloc row, each domain wrapped in the debug hooks
 *  debug           the default row with the debug hooks (reported as pymalloc_debug)
 * </pre>
 */
public enum AllocatorName {
    /** The default: {@link #PYMALLOC}. */
    DEFAULT(true, false),
    /** The default allocators with the debug hooks: {@link #PYMALLOC_DEBUG}. */
    DEBUG(true, true),
    /** libc malloc in every domain. */
    MALLOC(false, false),
    /** libc malloc in every domain, with the debug hooks. */
    MALLOC_DEBUG(false, true),
    /** pymalloc for MEM and OBJ, libc malloc for RAW. */
    PYMALLOC(true, false),
    /** pymalloc for MEM and OBJ, libc malloc for RAW, with the debug hooks. */
    PYMALLOC_DEBUG(true, true);

    /** The system property {@link Memory#create()} reads, like {@code PYTHONMALLOC}. */
    public static final String PROPERTY = "pymalloc4j.malloc";

    private final boolean pymalloc;
    private final boolean debug;

    AllocatorName(boolean pymalloc, boolean debug) {
        this.pymalloc = pymalloc;
        this.debug = debug;
    }

    /** Whether MEM and OBJ use pymalloc. */
    public boolean usesPymalloc() {
        return pymalloc;
    }

    /** Whether the debug hooks wrap every domain. */
    public boolean hasDebugHooks() {
        return debug;
    }

    /** The name as {@code PYTHONMALLOC} spells it, e.g. {@code pymalloc_debug}. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What CPython reports for this configuration: {@code default} and {@code debug} resolved. */
    public AllocatorName resolved() {
        return switch (this) {
            case DEFAULT -> PYMALLOC;
            case DEBUG -> PYMALLOC_DEBUG;
            default -> this;
        };
    }

    /**
     * Parses a {@code PYTHONMALLOC} value; case does not matter.
     *
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException naming the accepted values if {@code value} is none of them
     */
    public static AllocatorName parse(String value) {
        Objects.requireNonNull(value, "value");
        for (AllocatorName n : values()) {
            if (n.spelling().equalsIgnoreCase(value.strip())) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown allocator '" + value + "'; expected one of "
                + Arrays.stream(values()).map(AllocatorName::spelling).collect(Collectors.joining(", ")));
    }

    /**
     * The configuration named by the system property {@value #PROPERTY}, {@link #DEFAULT} if unset.
     *
     * @throws IllegalArgumentException if the property names no configuration
     */
    public static AllocatorName fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return spelling();
    }

    /**
     * What the allocators installed in the three domains amount to, {@code heap} being the
     * memory's pymalloc heap (null if it has none): empty for any other set.
     */
    static Optional<AllocatorName> installed(BlockAllocator raw, BlockAllocator mem, BlockAllocator obj,
                                             BlockAllocator libc, BlockAllocator heap) {
        BlockAllocator small = heap != null ? heap : libc;
        if (raw == libc && mem == small && obj == small) {
            return Optional.of(heap != null ? PYMALLOC : MALLOC);
        }
        if (isDebugOver(raw, libc) && isDebugOver(mem, small) && isDebugOver(obj, small)) {
            return Optional.of(heap != null ? PYMALLOC_DEBUG : MALLOC_DEBUG);
        }
        return Optional.empty();
    }

    private static boolean isDebugOver(BlockAllocator installed, BlockAllocator base) {
        return DebugHooks.isDebugAllocator(installed) && DebugHooks.unwrap(installed) == base;
    }
}
