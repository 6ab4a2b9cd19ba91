package io.ringfleet.bpf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * sizeof / offsetof of the structs of rf_abi.h and its constants, as compiled into the JNI shim:
 * the reference the Java codecs ({@code io.ringfleet.bpf.abi}) are tested against.
 * Keys: "rf_vip_key" (size), "rf_vip_key.port" (offset), "const.RF_GC_COUNT".
 */
public final class AbiLayout {
    private AbiLayout() {}

    private static volatile Map<String, Long> layout;

    public static Map<String, Long> all() {
        Map<String, Long> l = layout;
        if (l == null) {
            Map<String, Long> m = new LinkedHashMap<>();
            for (String e : NativeBpf.abiLayout()) {
                int eq = e.indexOf('=');
                m.put(e.substring(0, eq), Long.parseLong(e.substring(eq + 1)));
            }
            l = Map.copyOf(m);
            layout = l;
        }
        return l;
    }

    public static int sizeOf(String struct) {
        return get(struct);
    }

    public static int offsetOf(String struct, String field) {
        return get(struct + "." + field);
    }

    public static long constant(String name) {
        return get("const." + name);
    }

    private static int get(String key) {
        Long v = all().get(key);
        if (v == null) {
            throw new IllegalArgumentException("the shim reports no '" + key + "'; known: " + all().keySet());
        }
        return Math.toIntExact(v);
    }
}
