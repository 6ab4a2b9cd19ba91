package io.ringfleet.config;

import java.nio.file.Path;

/**
 * Shape checks shared by the loader (which adds file, line and field) and the model's builders. Each returns
 * {@code null} when the value is fine, else the reason it is not.
 */
final class Checks {
    static final String INTERFACE_RULE = "a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace";
    static final String NETNS_RULE = "a network namespace name as `ip netns` shows it (1 to 64 letters, digits,"
            + " '.', '_' or '-') or an absolute path such as /run/netns/lb1";
    static final String PATH_RULE = "an absolute path without '.' or '..' segments";

    private Checks() {}

    static String interfaceName(String name) {
        if (name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > 15) {
            return "it is " + name.length() + " characters long; Linux allows at most 15";
        }
        if (name.equals(".") || name.equals("..")) {
            return "it is reserved";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20) {
                return "it contains " + describe(c);
            }
        }
        return null;
    }

    static String netns(String name) {
        if (name.startsWith("/")) {
            return absolutePath(name);
        }
        if (name.isEmpty() || name.length() > 64 || name.equals(".") || name.equals("..")) {
            return "it is not a namespace name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return "it contains " + describe(c);
            }
        }
        return null;
    }

    static String absolutePath(String text) {
        if (text.isEmpty()) {
            return "it is empty";
        }
        if (!text.startsWith("/")) {
            return "it is not absolute";
        }
        if (text.indexOf('\0') >= 0) {
            return "it contains a NUL character";
        }
        for (String segment : text.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' segment";
            }
        }
        return null;
    }

    /** True when {@code path} is strictly below {@code dir}. */
    static boolean strictlyUnder(Path path, Path dir) {
        return path.startsWith(dir) && !path.equals(dir);
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (Character.isWhitespace(c) || c < 0x20) {
            return String.format("the control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }
}
