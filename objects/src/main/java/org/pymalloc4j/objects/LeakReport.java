package org.pymalloc4j.objects;

import java.util.List;

/**
 * The objects still alive when a space closed: what an embedding program leaked.
 *
 * @param leakedObjectCount how many objects were still alive (counted in every mode)
 * @param objects       each of them, oldest first, in trace-refs mode; empty otherwise
 * @param isTraceRefs   whether the space ran in trace-refs mode
 */
public record LeakReport(long leakedObjectCount, List<LiveObject> objects, boolean isTraceRefs) {
    /** @throws NullPointerException if {@code objects} is null or holds null */
    public LeakReport {
        objects = List.copyOf(objects);
    }

    /** Whether nothing leaked. */
    public boolean isClean() {
        return leakedObjectCount == 0;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(leakedObjectCount).append(leakedObjectCount == 1 ? " object" : " objects").append(" still alive");
        if (!isTraceRefs && leakedObjectCount != 0) {
            out.append(" (enable trace-refs mode to list them)");
        }
        for (LiveObject o : objects) {
            out.append("\n  ").append(o);
        }
        return out.toString();
    }
}
