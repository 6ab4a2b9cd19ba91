package io.ringfleet.state;

/** L4 protocol of a VIP, with its IP protocol number. */
public enum Protocol {
    TCP(6, "tcp"),
    UDP(17, "udp");

    private final int number;
    private final String text;

    Protocol(int number, String text) {
        this.number = number;
        this.text = text;
    }

    /** The IP protocol number (6, 17). */
    public int number() {
        return number;
    }

    public io.ringfleet.api.Protocol toProto() {
        return this == TCP ? io.ringfleet.api.Protocol.TCP : io.ringfleet.api.Protocol.UDP;
    }

    /**
     * @throws IllegalArgumentException for PROTOCOL_UNSPECIFIED and unknown numbers
     */
    public static Protocol fromProto(io.ringfleet.api.Protocol proto) {
        switch (proto) {
            case TCP:
                return TCP;
            case UDP:
                return UDP;
            default:
                throw new IllegalArgumentException("protocol must be TCP (6) or UDP (17), got " + proto);
        }
    }

    /** Lower-case name, as in {@code 10.0.0.1:80/tcp}. */
    @Override
    public String toString() {
        return text;
    }
}
