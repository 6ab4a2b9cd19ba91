package io.ringfleet.agent.security;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a certificate names: the common name (the principal recorded in the log) and the role carried by
 * its OU. A certificate with several OUs takes the first one that is a known role.
 */
public record CertificateIdentity(String commonName, Optional<Role> role, List<String> organizationalUnits) {
    public CertificateIdentity {
        Objects.requireNonNull(commonName, "commonName");
        Objects.requireNonNull(role, "role");
        organizationalUnits = List.copyOf(organizationalUnits);
    }

    public static CertificateIdentity of(X509Certificate certificate) {
        String dn = certificate.getSubjectX500Principal().getName();
        LdapName name;
        try {
            name = new LdapName(dn);
        } catch (InvalidNameException e) {
            return new CertificateIdentity("", Optional.empty(), List.of());
        }
        String cn = "";
        List<String> ous = new ArrayList<>();
        for (Rdn rdn : name.getRdns()) {
            String type = rdn.getType();
            String value = String.valueOf(rdn.getValue());
            if (type.equalsIgnoreCase("CN") && cn.isEmpty()) {
                cn = value;
            } else if (type.equalsIgnoreCase("OU")) {
                ous.add(value);
            }
        }
        Optional<Role> role =
                ous.stream().map(Role::fromOu).flatMap(Optional::stream).findFirst();
        return new CertificateIdentity(cn, role, ous);
    }

    /** "CN=alice (operator)" or "CN=alice (no role: OU=[sales])", for messages. */
    public String describe() {
        return "CN=" + commonName + role.map(r -> " (" + r + ")").orElse(" (no role: OU=" + organizationalUnits + ")");
    }
}
