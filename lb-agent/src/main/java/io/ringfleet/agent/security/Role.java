package io.ringfleet.agent.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What a certificate may do, from the organizational unit (OU) of its subject. Operators write; read-only
 * clients read; nodes read and are the only role accepted on the Raft transport.
 */
public enum Role {
    OPERATOR("operator"),
    READ_ONLY("read-only"),
    NODE("node");

    /** "operator, read-only, node". */
    public static final String ALLOWED = "operator, read-only, node";

    private final String ou;

    Role(String ou) {
        this.ou = ou;
    }

    /** The OU value that carries this role. */
    public String ou() {
        return ou;
    }

    public boolean canWrite() {
        return this == OPERATOR;
    }

    /** The role whose OU is {@code ou} (case-insensitive), if any. */
    public static Optional<Role> fromOu(String ou) {
        if (ou == null) {
            return Optional.empty();
        }
        String wanted = ou.trim().toLowerCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.ou.equals(wanted)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** @throws IllegalArgumentException naming the allowed values */
    public static Role parse(String text) {
        return fromOu(text)
                .orElseThrow(() -> new IllegalArgumentException("unknown role '" + text + "': allowed " + ALLOWED));
    }

    @Override
    public String toString() {
        return ou;
    }
}
