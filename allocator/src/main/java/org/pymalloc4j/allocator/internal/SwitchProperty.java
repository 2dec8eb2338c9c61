package org.pymalloc4j.allocator.internal;

import java.util.Locale;

/**
 * An on/off system property of pymalloc4j's, read once into a {@code static final}: unset or
 * empty is on, {@code true} and {@code false} are themselves in any case, and any other value is
 * refused. A spelling such as {@code no}, {@code 0} or {@code off} would otherwise leave the
 * switch on in silence, and the user measure or trust the mode they meant to leave.
 */
public final class SwitchProperty {
    private SwitchProperty() {
    }

    /**
     * Whether the system property {@code name} is on.
     *
     * @throws IllegalArgumentException naming the property and its value if that is neither true nor false
     */
    public static boolean isOn(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            return true;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "", "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("-D" + name + "=" + value + ": expected true or false");
        };
    }
}
