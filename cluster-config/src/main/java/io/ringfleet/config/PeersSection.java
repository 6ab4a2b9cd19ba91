package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code peers} list: ids, addresses and roles, unique where they must be, and the voter count. */
final class PeersSection {
    static final String KEY = "peers";
    static final Field<String> ID = Field.of("id", PeerConfig.ID_RULE, FieldParsers::id);
    static final Field<HostPort> RAFT_ADDRESS =
            Field.of("raft-address", FieldParsers.ADDRESS_RULE, FieldParsers::peerAddress);
    static final Field<HostPort> API_ADDRESS =
            Field.of("api-address", FieldParsers.ADDRESS_RULE, FieldParsers::peerAddress);
    static final Field<PeerRole> ROLE = ConfigEnums.field("role", PeerRole.class);
    static final List<Field<?>> ALL = List.of(ID, RAFT_ADDRESS, API_ADDRESS, ROLE);
    static final List<String> NAMES = Field.names(ALL);

    private static final String SHAPE = "a list of peers, each with "
            + String.join(", ", NAMES.subList(0, NAMES.size() - 1)) + " and " + NAMES.get(NAMES.size() - 1);

    private final FieldReader reader;
    private final Problems problems;
    private final Map<String, PeerSlot> byId = new HashMap<>();
    private final Map<HostPort, String> addresses = new HashMap<>();

    PeersSection(FieldReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** Every item of {@code peers}, each as far as it could be read. */
    List<PeerSlot> read(Section top) {
        List<PeerSlot> slots = new ArrayList<>();
        Entry e = top.entry(KEY);
        if (e == null) {
            problems.error(1, "", "peers is missing; use " + SHAPE);
            return slots;
        }
        if (!(e.value() instanceof Sequence)) {
            reader.report(e, KEY, Values.notAllowed(e.value(), SHAPE));
            return slots;
        }
        Sequence list = (Sequence) e.value();
        if (list.items().isEmpty()) {
            problems.error(e.keyLine(), KEY, "an empty list is not allowed; list at least one voter");
            return slots;
        }
        Map<String, String> elsewhere = new HashMap<>();
        NodeFields.NAMES.forEach(f -> elsewhere.put(f, "defaults or nodes.<id>, not in peers"));
        for (int i = 0; i < list.items().size(); i++) {
            slots.add(peer(i, list.items().get(i), elsewhere));
        }
        checkVoters(e, slots);
        return slots;
    }

    private PeerSlot peer(int index, Node item, Map<String, String> elsewhere) {
        PeerSlot slot = new PeerSlot(index, item.line());
        Section s = Section.read(
                item,
                item.line(),
                slot.path,
                NAMES,
                "peer fields (" + String.join(", ", NAMES) + ")",
                elsewhere,
                problems);
        slot.id = uniqueId(s, slot);
        slot.rawId = slot.id;
        if (slot.id != null && byId.get(slot.id) != slot) {
            slot.id = null;
        }
        slot.raft = uniqueAddress(s, RAFT_ADDRESS);
        slot.api = uniqueAddress(s, API_ADDRESS);
        slot.role = reader.required(s, ROLE);
        if (slot.id != null && slot.raft != null && slot.api != null && slot.role != null) {
            slot.config = new PeerConfig(slot.id, slot.role, slot.raft, slot.api);
        }
        return slot;
    }

    /** The peer's id; an id an earlier peer has is reported (and still returned, as the raw id). */
    private String uniqueId(Section s, PeerSlot slot) {
        String id = reader.required(s, ID);
        if (id == null) {
            return null;
        }
        PeerSlot first = byId.putIfAbsent(id, slot);
        if (first != null) {
            problems.error(
                    s.entry(ID.name()).value().line(),
                    s.child(ID.name()),
                    Values.quote(id) + " is already the id of " + first.path + " (line " + first.line
                            + "); give every peer its own id");
        }
        return id;
    }

    private HostPort uniqueAddress(Section s, Field<HostPort> field) {
        HostPort address = reader.required(s, field);
        if (address == null) {
            return null;
        }
        Entry e = s.entry(field.name());
        String here = s.child(field.name());
        String previous =
                addresses.putIfAbsent(address, here + " (line " + e.value().line() + ")");
        if (previous != null) {
            problems.error(
                    e.value().line(),
                    here,
                    address + " is already used by " + previous
                            + "; every raft-address and api-address must be unique");
            return null;
        }
        return address;
    }

    private void checkVoters(Entry e, List<PeerSlot> slots) {
        boolean rolesKnown = slots.stream().allMatch(p -> p.role != null);
        long voters = slots.stream().filter(p -> p.role == PeerRole.VOTER).count();
        if (rolesKnown && voters == 0) {
            problems.error(
                    e.keyLine(),
                    KEY,
                    "no peer has role voter; make at least one peer a voter"
                            + " (3 or 5 voters survive node failures)");
        }
        if (voters >= 2 && voters % 2 == 0) {
            long tolerated = (voters - 1) / 2;
            problems.warn(
                    e.keyLine(),
                    KEY,
                    voters + " voters survive only " + tolerated
                            + (tolerated == 1 ? " failure" : " failures") + ", as " + (voters - 1)
                            + " would; use an odd number of voters (3 or 5) and make the rest listeners");
        } else if (voters > 7) {
            problems.warn(
                    e.keyLine(),
                    KEY,
                    voters + " voters make every commit wait for " + (voters / 2 + 1)
                            + " of them; use 3 or 5 voters and make the rest listeners");
        }
    }
}
