package io.ringfleet.agent.health;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the status code of an HTTP/1.x response's first line. */
final class HttpStatusLine {
    /** A status line longer than this is not an HTTP answer worth reading further. */
    static final int MAX_LENGTH = 1_024;

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] ([1-5][0-9][0-9])(?: .*)?");

    private HttpStatusLine() {}

    /** The status of line (without its CRLF), or -1 if line is not an HTTP/1.0 or 1.1 status line. */
    static int status(String line) {
        Matcher m = STATUS.matcher(line);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
