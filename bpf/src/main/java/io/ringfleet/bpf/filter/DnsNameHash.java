package io.ringfleet.bpf.filter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The label-wise hash the pre-filter matches DNS query names with (rf_abi.h, {@code RF_FILTER_DNS_HASH_*}): each
 * label is hashed alone (FNV-1a 64 over its length byte and its bytes in lower case), and a name's hash folds the
 * label hashes from the top-level label down, so the hash of a suffix is a prefix of the fold. The program keeps the
 * last {@link #MAX_LABELS} labels of a name, so patterns have at most that many.
 */
public final class DnsNameHash {
    /** FNV-1a 64 offset basis and prime; pinned to the shim's constants by the tests. */
    public static final long BASIS = 0xcbf29ce484222325L;

    public static final long PRIME = 0x100000001b3L;
    public static final int MAX_LABELS = 16;
    static final int MAX_LABEL_BYTES = 63;
    /** Bytes of an encoded name, length bytes and the root label included (RFC 1035). */
    static final int MAX_NAME_BYTES = 255;

    private DnsNameHash() {}

    /** The labels of {@code name} ("www.Example.com" or with a final dot), checked as the program reads names. */
    public static List<String> labels(String name) {
        String n = name == null ? "" : name.trim();
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            throw new IllegalArgumentException("DNS name '" + name + "' has no labels");
        }
        List<String> labels = new ArrayList<>();
        int encoded = 1; // the root label
        for (String label : n.split("\\.", -1)) {
            int bytes = label.getBytes(StandardCharsets.US_ASCII).length;
            if (label.isEmpty() || bytes > MAX_LABEL_BYTES || !label.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("DNS name '" + name + "' has a label '" + label
                        + "' that is empty, over 63 bytes or not printable ASCII");
            }
            encoded += 1 + bytes;
            labels.add(label.toLowerCase(Locale.ROOT));
        }
        if (encoded > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("DNS name '" + name + "' is " + encoded + " bytes encoded, over 255");
        }
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("DNS name '" + name + "' has " + labels.size()
                    + " labels; filter patterns may have at most " + MAX_LABELS);
        }
        return labels;
    }

    /** FNV-1a 64 of one label: its length byte, then its bytes in lower case. */
    public static long labelHash(String label) {
        byte[] bytes = label.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        long h = mix(BASIS, bytes.length);
        for (byte b : bytes) {
            h = mix(h, b & 0xff);
        }
        return h;
    }

    /** The hash of a whole name (or of the suffix after "*."): label hashes folded from the last label. */
    public static long nameHash(List<String> labels) {
        long h = BASIS;
        for (int i = labels.size() - 1; i >= 0; i--) {
            h = (h ^ labelHash(labels.get(i))) * PRIME;
        }
        return h;
    }

    private static long mix(long hash, int b) {
        return (hash ^ b) * PRIME;
    }
}
