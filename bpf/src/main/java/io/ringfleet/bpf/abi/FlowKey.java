package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** struct rf_flow_key: the connection-table key, the 5-tuple as on the wire. */
public record FlowKey(InetAddress source, InetAddress destination, int sourcePort, int destinationPort, int protocol) {
    public static final int SIZE = 40;
    public static final int OFF_SRC = 0;
    public static final int OFF_DST = 16;
    public static final int OFF_SPORT = 32;
    public static final int OFF_DPORT = 34;
    public static final int OFF_PROTO = 36;

    public FlowKey {
        Wire.requireAddr(source, "flow source");
        Wire.requireAddr(destination, "flow destination");
        if (Wire.isV6(source) != Wire.isV6(destination)) {
            throw new IllegalArgumentException(
                    "flow source and destination must be of one family: " + source + " -> " + destination);
        }
        Wire.requirePort(sourcePort, "flow source port");
        Wire.requirePort(destinationPort, "flow destination port");
        Wire.requireU8(protocol, "flow protocol");
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        Wire.putAddr(b, OFF_SRC, source);
        Wire.putAddr(b, OFF_DST, destination);
        Wire.putBe16(b, OFF_SPORT, sourcePort);
        Wire.putBe16(b, OFF_DPORT, destinationPort);
        b.put(OFF_PROTO, (byte) protocol);
        return b.array();
    }

    /**
     * Decodes a key. The struct does not carry the family: an address whose last 12 bytes are
     * zero in both source and destination is read as IPv4.
     */
    public static FlowKey decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_flow_key");
        boolean v6 = false;
        for (int i = 4; i < 16; i++) {
            v6 |= b.get(OFF_SRC + i) != 0 || b.get(OFF_DST + i) != 0;
        }
        return new FlowKey(
                Wire.getAddr(b, OFF_SRC, v6),
                Wire.getAddr(b, OFF_DST, v6),
                Wire.getBe16(b, OFF_SPORT),
                Wire.getBe16(b, OFF_DPORT),
                b.get(OFF_PROTO) & 0xff);
    }
}
