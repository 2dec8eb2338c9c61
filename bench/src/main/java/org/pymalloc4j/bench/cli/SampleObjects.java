package org.pymalloc4j.bench.cli;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.pymalloc4j.objects.ClassSpec;
import org.pymalloc4j.objects.ObjectSpace;
import org.pymalloc4j.objects.TypeLayout;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * Makes the object {@code pymalloc4j layout KIND --value V} shows, in a space the caller owns:
 * one new reference, which the caller releases. Items of containers are written as Python
 * literals would be: {@code 1}, {@code 2.5}, {@code None}, {@code True}, anything else a str.
 */
final class SampleObjects {
    /** The kinds of object, with the value each shows when no {@code --value} is given. */
    static final List<String[]> KINDS = List.of(
            new String[] {"float", "1.5"},
            new String[] {"int", "1234567890123456789"},
            new String[] {"bool", "True"},
            new String[] {"bytes", "abc"},
            new String[] {"str", "héllo"},
            new String[] {"tuple", "1,2.5,abc"},
            new String[] {"list", "1,2.5,abc"},
            new String[] {"dict", "a=1,b=2.5"},
            new String[] {"instance", "1,2.5"},
            new String[] {"type", "float"},
            new String[] {"weakref", "float"},
            new String[] {"none", ""});

    /** Digits as Python's literals group them: single underscores between digits. */
    private static final String DIGITS = "[0-9](?:_?[0-9])*";
    private static final Pattern PYTHON_INT = Pattern.compile("[+-]?" + DIGITS);
    /** Python's float literal, with a sign: {@code 1}, {@code 1.}, {@code .5}, {@code 1_000.5e-3}. */
    private static final Pattern PYTHON_FLOAT = Pattern.compile("[+-]?(?:" + DIGITS + "(?:\\.(?:" + DIGITS + ")?)?"
            + "|\\." + DIGITS + ")(?:[eE][+-]?" + DIGITS + ")?");

    /** The built-in types {@code type} and {@code weakref} name with {@code --value}. */
    static final List<String> BUILT_IN_TYPES = List.of("float", "int", "bool", "bytes", "str", "tuple", "list", "dict",
            "NoneType", "type", "object");

    private final ObjectSpace space;

    SampleObjects(ObjectSpace space) {
        this.space = space;
    }

    static boolean isKind(String kind) {
        return KINDS.stream().anyMatch(k -> k[0].equals(kind));
    }

    static String defaultValue(String kind) {
        return KINDS.stream().filter(k -> k[0].equals(kind)).findFirst().orElseThrow()[1];
    }

    /**
     * A new reference to the sample of {@code kind} made from {@code value}.
     *
     * @throws UsageException if {@code value} does not fit the kind
     */
    long make(String kind, String value) throws UsageException {
        return switch (kind) {
            case "float" -> space.floats().newFloat(parseDouble(value));
            case "int" -> space.ints().newInt(parseInt(value));
            case "bool" -> space.newBool(parseBool(value));
            case "bytes" -> space.bytes().newBytes(value.getBytes(StandardCharsets.UTF_8));
            case "str" -> space.strs().newStr(value);
            case "tuple" -> tuple(items(value));
            case "list" -> list(items(value));
            case "dict" -> dict(value);
            case "instance" -> instance(items(value));
            case "type" -> type(value);
            case "weakref" -> weakref(value);
            case "none" -> {
                space.incref(space.none());
                yield space.none();
            }
            default -> throw new UsageException("layout: unknown kind '" + kind + "'");
        };
    }

    /** {@code class Point: __slots__ = ('a', 'b', ...)}, one slot per item, filled in order. */
    private long instance(String[] items) throws UsageException {
        long cls = space.classes().newClass("Point", items.length);
        long o = space.classes().newInstance(cls);
        space.decref(cls); // the instance keeps its class alive
        for (int i = 0; i < items.length; i++) {
            long item = item(items[i]);
            space.classes().setSlot(o, i, item);
            space.decref(item);
        }
        return o;
    }

    /**
     * {@code weakref.ref(T)} for a built-in type T named by {@code value} (static, so it stays
     * alive), or, for {@code dead}, a weakref whose referent (an instance) is already gone.
     */
    private long weakref(String value) throws UsageException {
        if (value.equals("dead")) {
            long cls = space.classes().newClass(ClassSpec.named("Point").weakReferenceable());
            long o = space.classes().newInstance(cls);
            long wr = space.weakrefs().newRef(o);
            space.decref(o);
            space.decref(cls);
            return wr;
        }
        if (!BUILT_IN_TYPES.contains(value)) {
            throw new UsageException("layout: weakref --value names a built-in type (" + String.join(", ", BUILT_IN_TYPES)
                    + ") or 'dead', not '" + value + "'");
        }
        long t = type(value);
        long wr = space.weakrefs().newRef(t);
        space.decref(t); // a static type: alive all the same
        return wr;
    }

    private long tuple(String[] items) throws UsageException {
        long t = space.tuples().newTuple(items.length);
        for (int i = 0; i < items.length; i++) {
            space.tuples().set(t, i, item(items[i]));
        }
        return t;
    }

    private long list(String[] items) throws UsageException {
        long l = space.lists().newList();
        for (String s : items) {
            long item = item(s);
            space.lists().append(l, item);
            space.decref(item);
        }
        return l;
    }

    private long dict(String value) throws UsageException {
        long d = space.dicts().newDict();
        for (String pair : items(value)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                space.decref(d);
                throw new UsageException("layout: --value of a dict is KEY=VALUE,..., not '" + pair + "'");
            }
            long k = item(pair.substring(0, eq));
            long v = item(pair.substring(eq + 1));
            space.dicts().set(d, k, v);
            space.decref(k);
            space.decref(v);
        }
        return d;
    }

    /** A new reference to the type object named {@code name}: a built-in type, or {@code Point}, a class with one slot. */
    private long type(String name) throws UsageException {
        long t = switch (name) {
            case "float" -> typeOf(space.floats().newFloat(0));
            case "int" -> typeOf(space.ints().newInt(0));
            case "bool" -> typeOf(space.newBool(true));
            case "bytes" -> typeOf(space.bytes().newBytes(new byte[0]));
            case "str" -> typeOf(space.strs().newStr(""));
            case "tuple" -> typeOf(space.tuples().newTuple(0));
            case "list" -> typeOf(space.lists().newList());
            case "dict" -> typeOf(space.dicts().newDict());
            case "NoneType" -> typeOf(newNone());
            case "type" -> space.type(typeOf(newNone()));
            case "object" -> getLong(typeOf(newNone()) + TypeLayout.TP_BASE_OFFSET);
            case "Point" -> space.classes().newClass("Point", 1); // already a new reference
            default -> throw new UsageException("layout: type --value must name a type: "
                    + String.join(", ", BUILT_IN_TYPES) + " or Point, not '" + name + "'");
        };
        if (!name.equals("Point")) {
            space.incref(t);
        }
        return t;
    }

    private long newNone() {
        space.incref(space.none());
        return space.none();
    }

    /** The type of {@code o}, borrowed; {@code o} (a new reference) is released. */
    private long typeOf(long o) {
        long t = space.type(o);
        space.decref(o);
        return t;
    }

    private long item(String s) throws UsageException {
        String v = s.strip();
        if (v.matches("-?\\d+")) {
            return space.ints().newInt(new BigInteger(v));
        }
        if (v.matches("-?(\\d+\\.\\d*|\\.\\d+|\\d+(\\.\\d*)?[eE][-+]?\\d+)")) {
            return space.floats().newFloat(parseDouble(v));
        }
        return switch (v) {
            case "None" -> newNone();
            case "True" -> space.newBool(true);
            case "False" -> space.newBool(false);
            default -> space.strs().newStr(v);
        };
    }

    private static String[] items(String value) {
        return value.isEmpty() ? new String[0] : value.split(",", -1);
    }

    /**
     * A float as Python's {@code float(str)} reads it: decimal digits with {@code _} between them,
     * an optional fraction and exponent (too big is inf), or {@code nan}, {@code inf},
     * {@code infinity} in any case, each with an optional sign. Java's own forms ({@code 1.5f},
     * {@code 0x1p3}, {@code NaN} but not {@code nan}) are not Python's.
     */
    static double parseDouble(String v) throws UsageException {
        String s = v.strip();
        String unsigned = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        double sign = s.startsWith("-") ? -1 : 1;
        switch (unsigned.toLowerCase(Locale.ROOT)) {
            case "nan" -> {
                return Double.NaN;
            }
            case "inf", "infinity" -> {
                return sign * Double.POSITIVE_INFINITY;
            }
            default -> {
                if (PYTHON_FLOAT.matcher(s).matches()) {
                    return Double.parseDouble(s.replace("_", ""));
                }
                throw new UsageException("layout: --value of a float must be a number as Python writes one "
                        + "(1.5, -2e-3, 1_000.5, inf, nan), not '" + v + "'");
            }
        }
    }


    /** An int as Python's {@code int(str)} reads a decimal one: a sign, ASCII digits with single {@code _} between them. */
    private static BigInteger parseInt(String v) throws UsageException {
        String s = v.strip();
        if (!PYTHON_INT.matcher(s).matches()) {
            throw new UsageException("layout: --value of an int must be an integer, not '" + v + "'");
        }
        return new BigInteger(s.replace("_", ""));
    }

    private static boolean parseBool(String v) throws UsageException {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new UsageException("layout: --value of a bool must be True or False, not '" + v + "'");
        };
    }
}
