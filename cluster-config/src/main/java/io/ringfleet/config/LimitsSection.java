package io.ringfleet.config;

import io.ringfleet.config.Values.BadValue;
import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HashFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code limits} section, read into {@link FleetLimits}: the ranges are FleetLimits's, so the file accepts
 * exactly what the state machine and the datapath take.
 */
final class LimitsSection {
    static final String KEY = "limits";
    static final Field<Integer> MAX_VIPS = Field.of(
            "max-vips",
            "an integer from 1 to " + FleetLimits.MAX_VIPS,
            n -> Values.integer(n, 1, FleetLimits.MAX_VIPS));
    static final Field<Integer> MAX_REALS = Field.of(
            "max-reals",
            "an integer from " + FleetLimits.MIN_REALS + " to " + FleetLimits.MAX_REALS,
            n -> Values.integer(n, FleetLimits.MIN_REALS, FleetLimits.MAX_REALS));
    static final Field<Integer> RING_SIZE =
            Field.of("ring-size", String.valueOf(FleetLimits.RING_SIZE), LimitsSection::ringSize);
    static final Field<HashFunction> MAGLEV = ConfigEnums.field("maglev", maglevWords());
    static final List<Field<?>> ALL = List.of(MAX_VIPS, MAX_REALS, RING_SIZE, MAGLEV);
    static final List<String> NAMES = Field.names(ALL);

    private final FieldReader reader;

    LimitsSection(FieldReader reader) {
        this.reader = reader;
    }

    /** The limits; the defaults when the section is absent, null when anything is wrong (reported). */
    FleetLimits read(Section top) {
        Entry e = top.entry(KEY);
        if (e == null) {
            return FleetLimits.DEFAULT;
        }
        Section s = Section.read(
                e.value(),
                e.keyLine(),
                KEY,
                NAMES,
                "limits (" + String.join(", ", NAMES) + ")",
                Map.of(),
                reader.problems());
        Integer vips = reader.optional(s, MAX_VIPS, FleetLimits.DEFAULT_MAX_VIPS);
        Integer reals = reader.optional(s, MAX_REALS, FleetLimits.DEFAULT_MAX_REALS);
        Integer ring = reader.optional(s, RING_SIZE, FleetLimits.RING_SIZE);
        HashFunction maglev = reader.optional(s, MAGLEV, FleetLimits.DEFAULT.defaultHashFunction());
        if (vips == null || reals == null || ring == null || maglev == null || !ringMapFits(s, vips, ring)) {
            return null;
        }
        return FleetLimits.builder()
                .maxVips(vips)
                .maxReals(reals)
                .ringSize(ring)
                .defaultHashFunction(maglev)
                .build();
    }

    /** The ring map is one BPF array of max-vips x ring-size slots. */
    private boolean ringMapFits(Section s, int vips, int ring) {
        long slots = (long) vips * ring;
        if (slots <= FleetLimits.MAX_RING_SLOTS) {
            return true;
        }
        Entry at = s.has(RING_SIZE.name()) ? s.entry(RING_SIZE.name()) : s.entry(MAX_VIPS.name());
        int line = at == null ? s.line() : at.keyLine();
        reader.problems()
                .error(
                        line,
                        KEY,
                        "max-vips x ring-size = " + vips + " x " + ring + " = " + slots
                                + " ring slots is not allowed; the ring map holds at most " + FleetLimits.MAX_RING_SLOTS
                                + ", so lower max-vips or ring-size");
        return false;
    }

    /**
     * The balancer takes the flow hash modulo its compiled-in ring size, so rings of any other size would be
     * written into the wrong slots: the only size allowed is the datapath's.
     */
    private static int ringSize(Node n) throws BadValue {
        String allowed = FleetLimits.RING_SIZE + ", or leave ring-size out";
        int v;
        try {
            v = Values.integer(n, 0, Integer.MAX_VALUE);
        } catch (BadValue notAnInteger) {
            throw Values.notAllowed(n, allowed);
        }
        if (v != FleetLimits.RING_SIZE) {
            throw Values.notAllowed(
                    n,
                    "the balancer is built with RF_RING_SIZE = " + FleetLimits.RING_SIZE
                            + " slots per ring; another size needs a rebuilt bpf module",
                    allowed);
        }
        return v;
    }

    /** The file's words for the hash functions: Katran's Maglev is v1, MaglevV2 is v2. */
    private static Map<String, HashFunction> maglevWords() {
        Map<String, HashFunction> words = new LinkedHashMap<>();
        words.put("v1", HashFunction.MAGLEV);
        words.put("v2", HashFunction.MAGLEV_V2);
        return words;
    }
}
