package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fields whose value is one of a fixed set of words, each read into a constant. */
final class ConfigEnums {
    private ConfigEnums() {}

    /** A field whose words are the {@link ConfigValue#configName()}s of {@code type}'s constants. */
    static <E extends Enum<E> & ConfigValue> Field<E> field(String name, Class<E> type) {
        Map<String, E> words = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            words.put(e.configName(), e);
        }
        return field(name, words);
    }

    /** A field whose words map to values as {@code words} says (in the order messages list them). */
    static <T> Field<T> field(String name, Map<String, T> words) {
        Map<String, T> copy = new LinkedHashMap<>(words);
        String allowed = Values.oneOf(new ArrayList<>(copy.keySet()));
        return Field.of(name, allowed, n -> choice(n, copy, allowed));
    }

    private static <T> T choice(Node node, Map<String, T> words, String allowed) throws Values.BadValue {
        if (node instanceof Scalar && ((Scalar) node).kind() == Kind.STRING) {
            T value = words.get(((Scalar) node).text());
            if (value != null) {
                return value;
            }
        }
        throw Values.notAllowed(node, allowed);
    }
}
