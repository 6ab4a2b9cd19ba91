package io.ringfleet.agent.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a CA-checked certificate is a configured peer's: OU {@code node}, CN one of the peer ids, and a
 * subject alternative name (DNS or IP) equal to that peer's Raft host. What {@code lbctl certs node <id>}
 * issues satisfies it when the Raft host is one of the names given to it (localhost and the loopback
 * addresses are always there).
 */
final class PeerCertificate {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private PeerCertificate() {}

    /** Null if {@code cert} is a configured peer's, else why not ("certificate CN=x (node) is not ..."). */
    static String problem(X509Certificate cert, Map<String, String> peerHosts) {
        CertificateIdentity id = CertificateIdentity.of(cert);
        if (id.role().orElse(null) != Role.NODE) {
            return "certificate " + id.describe() + " is not a node's: only the fleet's peers speak Raft";
        }
        String host = peerHosts.get(id.commonName());
        if (host == null) {
            return "certificate " + id.describe() + " is not a configured peer's: the peers are "
                    + String.join(", ", peerHosts.keySet());
        }
        List<String> names = subjectAltNames(cert);
        if (!names.contains(canonical(host))) {
            return "certificate " + id.describe() + " does not name its peer's Raft host " + host + " (its names: "
                    + String.join(", ", names) + "): reissue it with that host";
        }
        return null;
    }

    /** DNS names (lower case) and IP addresses (canonical text) of the certificate. */
    static List<String> subjectAltNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return out;
        }
        if (sans == null) {
            return out;
        }
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            if (type == SAN_DNS || type == SAN_IP) {
                out.add(canonical(String.valueOf(san.get(1))));
            }
        }
        return out;
    }

    /** An IP literal in one spelling (::1 and 0:0:0:0:0:0:0:1 alike), a DNS name in lower case. */
    static String canonical(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (looksLikeIp(h)) {
            try {
                return InetAddress.getByName(h).getHostAddress();
            } catch (UnknownHostException e) {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** An IP literal, never resolved through DNS: digits and dots, or a colon. */
    private static boolean looksLikeIp(String h) {
        return h.contains(":") || (!h.isEmpty() && h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }
}
