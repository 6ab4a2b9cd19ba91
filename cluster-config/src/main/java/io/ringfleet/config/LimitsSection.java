package io.ringfleet.config;

import io.ringfleet.config.Values.BadValue;
import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Node;
import java.util.List;
import java.util.Map;

/** The {@code limits} section: fleet-wide map sizes and ring settings, every node the same. */
final class LimitsSection {
    static final String KEY = "limits";
    static final Field<Integer> MAX_VIPS = Field.of("max-vips", "an integer from 1 to " + Limits.MAX_VIPS,
            n -> Values.integer(n, 1, Limits.MAX_VIPS));
    static final Field<Integer> MAX_REALS = Field.of("max-reals", "an integer from 1 to " + Limits.MAX_REALS,
            n -> Values.integer(n, 1, Limits.MAX_REALS));
    static final Field<Integer> RING_SIZE = Field.of("ring-size", ringRule(), LimitsSection::ringSize);
    static final Field<MaglevVariant> MAGLEV = ConfigEnums.field("maglev", MaglevVariant.class);
    static final List<Field<?>> ALL = List.of(MAX_VIPS, MAX_REALS, RING_SIZE, MAGLEV);
    static final List<String> NAMES = Field.names(ALL);

    private final FieldReader reader;

    LimitsSection(FieldReader reader) {
        this.reader = reader;
    }

    /** The limits; the defaults when the section is absent, null when anything is wrong (reported). */
    Limits read(Section top) {
        Entry e = top.entry(KEY);
        if (e == null) {
            return Limits.DEFAULTS;
        }
        Section s = Section.read(e.value(), e.keyLine(), KEY, NAMES, "limits (" + String.join(", ", NAMES) + ")",
                Map.of(), reader.problems());
        Integer vips = reader.optional(s, MAX_VIPS, Limits.DEFAULT_MAX_VIPS);
        Integer reals = reader.optional(s, MAX_REALS, Limits.DEFAULT_MAX_REALS);
        Integer ring = reader.optional(s, RING_SIZE, Limits.DEFAULT_RING_SIZE);
        MaglevVariant maglev = reader.optional(s, MAGLEV, Limits.DEFAULT_MAGLEV);
        if (vips == null || reals == null || ring == null || maglev == null || !ringMapFits(s, vips, ring)) {
            return null;
        }
        return new Limits(vips, reals, ring, maglev);
    }

    /** The ring map is one BPF array of max-vips x ring-size slots. */
    private boolean ringMapFits(Section s, int vips, int ring) {
        long slots = (long) vips * ring;
        if (slots <= Limits.MAX_RING_SLOTS) {
            return true;
        }
        Entry at = s.has(RING_SIZE.name()) ? s.entry(RING_SIZE.name()) : s.entry(MAX_VIPS.name());
        int line = at == null ? s.line() : at.keyLine();
        reader.problems().error(line, KEY, "max-vips x ring-size = " + vips + " x " + ring + " = " + slots
                + " ring slots is not allowed; the ring map holds at most " + Limits.MAX_RING_SLOTS
                + ", so lower max-vips or ring-size");
        return false;
    }

    private static String ringRule() {
        return "a prime from " + Limits.MIN_RING_SIZE + " to " + Limits.MAX_RING_SIZE + " (Katran's default is 65537)";
    }

    private static int ringSize(Node n) throws BadValue {
        int v = Values.integer(n, Limits.MIN_RING_SIZE, Limits.MAX_RING_SIZE);
        if (!Limits.isPrime(v)) {
            throw Values.notAllowed(n, "it is not a prime; the nearest primes are " + nearestPrimes(v), ringRule());
        }
        return v;
    }

    private static String nearestPrimes(int v) {
        long below = v - 1;
        while (below >= Limits.MIN_RING_SIZE && !Limits.isPrime(below)) {
            below--;
        }
        long above = v + 1;
        while (!Limits.isPrime(above)) {
            above++;
        }
        return below >= Limits.MIN_RING_SIZE && above <= Limits.MAX_RING_SIZE ? below + " or " + above
                : below >= Limits.MIN_RING_SIZE ? String.valueOf(below) : String.valueOf(above);
    }
}
