package io.ringfleet.chaos.netns;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Addresses as the demo writes and reads them. */
public final class Addresses {
    private Addresses() {}

    /** An address as text; IPv6 compressed (the longest run of zero groups as ::). */
    public static String text(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(g[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** An address literal (never a name: nothing is looked up). */
    public static InetAddress address(String text) {
        if (text == null || !text.matches("[0-9a-fA-F:.]+") || !(text.contains(".") || text.contains(":"))) {
            throw new IllegalArgumentException("not an IP address literal: '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
    }
}
