package io.ringfleet.config;

import java.util.HashMap;
import java.util.Map;

/** A node's picked values, one per field the file gives it (from its own section or from defaults). */
final class Picks {
    private final Map<String, Picked<?>> byName = new HashMap<>();

    /** Picks every field of {@code fields} for node {@code nodeId}, reporting bad values. */
    static Picks read(FieldReader reader, Iterable<Field<?>> fields, Section defaults, Section own, String nodeId) {
        Picks picks = new Picks();
        for (Field<?> f : fields) {
            Picked<?> p = reader.pick(f, defaults, own, nodeId);
            if (p != null) {
                picks.byName.put(f.name(), p);
            }
        }
        return picks;
    }

    /** The value the file gives {@code field}, or null when neither section gives it. */
    @SuppressWarnings("unchecked") // read() stores each field's own Picked<T> under its name
    <T> Picked<T> get(Field<T> field) {
        return (Picked<T>) byName.get(field.name());
    }

    /** Whether {@code field} is given and parsed (not cleared, not bad). */
    boolean isSet(Field<?> field) {
        Picked<?> p = byName.get(field.name());
        return p != null && p.set();
    }

    boolean anyBad() {
        return byName.values().stream().anyMatch(Picked::bad);
    }
}
