package io.ringfleet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads lbctl's JSON ({@link ProtoJson}) back into the response message, for programs that drive lbctl (the
 * demo, the netns chaos tests, lbctl's own tests): bytes fields written as hex, address text or MAC text are
 * turned back into proto3 JSON's base64, then proto3's own parser reads it (it takes 64-bit numbers as numbers).
 * A field lbctl printed in any other shape fails the parse.
 */
public final class LbctlJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private LbctlJson() {}

    public static <T extends Message.Builder> T merge(String json, T builder) throws Exception {
        JsonFormat.parser().merge(canonicalJson(json, builder), builder);
        return builder;
    }

    /** As {@link #merge}, skipping fields the message does not know (an lbctl newer than the reader). */
    public static <T extends Message.Builder> T mergeIgnoringUnknown(String json, T builder) throws Exception {
        JsonFormat.parser().ignoringUnknownFields().merge(canonicalJson(json, builder), builder);
        return builder;
    }

    private static String canonicalJson(String json, Message.Builder builder) throws Exception {
        JsonNode tree = MAPPER.readTree(json);
        if (!(builder instanceof com.google.protobuf.Struct.Builder)) { // lbctl prints a Struct as proto3 does
            canonical(tree, builder.getDescriptorForType());
        }
        return MAPPER.writeValueAsString(tree);
    }

    private static void canonical(JsonNode node, Descriptor type) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            FieldDescriptor f = type.findFieldByName(e.getKey());
            if (f == null) {
                continue;
            }
            if (f.isMapField()) {
                FieldDescriptor value = f.getMessageType().findFieldByName("value");
                e.getValue().fields().forEachRemaining(v -> fix(object, v, value, e.getValue()));
            } else if (f.isRepeated() && e.getValue() instanceof ArrayNode items) {
                for (int i = 0; i < items.size(); i++) {
                    JsonNode item = items.get(i);
                    if (f.getType() == FieldDescriptor.Type.BYTES) {
                        items.set(i, base64(f.getName(), item.asText()));
                    } else if (f.getType() == FieldDescriptor.Type.MESSAGE) {
                        canonical(item, f.getMessageType());
                    }
                }
            } else if (f.getType() == FieldDescriptor.Type.BYTES) {
                e.setValue(base64(f.getName(), e.getValue().asText()));
            } else if (f.getType() == FieldDescriptor.Type.MESSAGE) {
                canonical(e.getValue(), f.getMessageType());
            }
        }
    }

    private static void fix(ObjectNode parent, Map.Entry<String, JsonNode> v, FieldDescriptor value, JsonNode map) {
        if (value.getType() == FieldDescriptor.Type.MESSAGE) {
            canonical(v.getValue(), value.getMessageType());
        } else if (value.getType() == FieldDescriptor.Type.BYTES) {
            ((ObjectNode) map).set(v.getKey(), base64("value", v.getValue().asText()));
        }
    }

    private static TextNode base64(String field, String text) {
        byte[] raw;
        boolean address = field.equals("address") || field.endsWith("_address");
        if (address && (text.contains(".") || text.contains(":"))) {
            raw = IpAddress.parse(text).bytes();
        } else if (field.equals("mac") && text.contains(":")) {
            raw = MacAddress.parse(text).bytes();
        } else {
            raw = HexFormat.of().parseHex(text);
        }
        return TextNode.valueOf(Base64.getEncoder().encodeToString(raw));
    }
}
