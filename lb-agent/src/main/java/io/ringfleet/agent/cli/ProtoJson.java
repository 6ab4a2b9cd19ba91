package io.ringfleet.agent.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * lbctl's JSON for a response message, for scripts: one line, field names as in the .proto files, every field
 * without presence printed. Unlike proto3's canonical JSON, 64-bit integers are numbers (not strings), digests
 * and other bytes are lower-case hex (as in the tables), addresses ({@code address}, {@code *_address}: 4 or 16
 * bytes) are text and MACs ({@code mac}) are {@code aa:bb:..}.
 */
final class ProtoJson {
    private static final HexFormat HEX = HexFormat.of();

    private ProtoJson() {}

    static String print(MessageOrBuilder message) {
        StringBuilder sb = new StringBuilder();
        message(sb, message);
        return sb.toString();
    }

    private static void message(StringBuilder sb, MessageOrBuilder m) {
        sb.append('{');
        boolean first = true;
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (!f.isRepeated() && f.hasPresence() && !m.hasField(f)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, f.getName());
            sb.append(':');
            field(sb, f, m.getField(f));
        }
        sb.append('}');
    }

    private static void field(StringBuilder sb, FieldDescriptor f, Object value) {
        if (f.isMapField()) {
            map(sb, f, (List<?>) value);
        } else if (f.isRepeated()) {
            sb.append('[');
            List<?> items = (List<?>) value;
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                scalar(sb, f, items.get(i));
            }
            sb.append(']');
        } else {
            scalar(sb, f, value);
        }
    }

    /** A map field as an object, keys sorted (the order a map has on the wire is not stable). */
    private static void map(StringBuilder sb, FieldDescriptor f, List<?> entries) {
        FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
        Map<String, Object> sorted = new TreeMap<>();
        for (Object e : entries) {
            MapEntry<?, ?> entry = (MapEntry<?, ?>) e;
            sorted.put(String.valueOf(entry.getKey()), entry.getValue());
        }
        sb.append('{');
        List<String> keys = new ArrayList<>(sorted.keySet());
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(sb, keys.get(i));
            sb.append(':');
            scalar(sb, valueField, sorted.get(keys.get(i)));
        }
        sb.append('}');
    }

    private static void scalar(StringBuilder sb, FieldDescriptor f, Object v) {
        switch (f.getType()) {
            case UINT32, FIXED32 -> sb.append(Integer.toUnsignedString((Integer) v));
            case UINT64, FIXED64 -> sb.append(Long.toUnsignedString((Long) v));
            case INT32, SINT32, SFIXED32, INT64, SINT64, SFIXED64, BOOL -> sb.append(v);
            case FLOAT, DOUBLE -> real(sb, ((Number) v).doubleValue());
            case STRING -> string(sb, (String) v);
            case BYTES -> string(sb, bytes(f.getName(), (ByteString) v));
            case ENUM -> string(sb, ((EnumValueDescriptor) v).getName());
            case MESSAGE, GROUP -> message(sb, (Message) v);
        }
    }

    /** A double as a JSON number; the non-numbers JSON has no literal for as strings, as proto3 JSON does. */
    private static void real(StringBuilder sb, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            string(sb, Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            sb.append(d);
        }
    }

    /** Addresses and MACs as text, every other bytes field (digests) as hex. */
    static String bytes(String fieldName, ByteString b) {
        boolean address = fieldName.equals("address") || fieldName.endsWith("_address");
        if (address && (b.size() == 4 || b.size() == 16)) {
            return IpAddress.fromBytes(b).toString();
        }
        if (fieldName.equals("mac") && b.size() == 6) {
            return MacAddress.fromBytes(b).toString();
        }
        return HEX.formatHex(b.toByteArray());
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // control characters, and the line separators JavaScript reads as line ends
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
