package io.ringfleet.agent.security;

import io.ringfleet.state.IpAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A development certificate authority in one directory, driven through the {@code openssl} command (the
 * JDK cannot issue certificates by itself, and openssl is on every host that runs the fleet). Keys are
 * ECDSA P-256 in PKCS#8 PEM, readable only by their owner.
 *
 * <p>Files: {@code ca.pem}, {@code ca-key.pem}; per name {@code <name>.pem} and {@code <name>-key.pem}
 * (the layout the fleet config's {@code node-cert: .../{id}.pem} and {@code node-key: .../{id}-key.pem}
 * expect). Subjects: {@code O=Ringfleet, OU=<role>, CN=<name>}. Node certificates are for server and
 * client use and name {@code localhost}, 127.0.0.1, ::1 and the node name (when it is a DNS name) plus
 * any extra names given; operator and read-only certificates are client certificates.
 *
 * <p>Each operation works in a scratch directory and moves its files into place only once every openssl
 * step succeeded, so a failure leaves nothing half-written.
 */
public final class DevCertificateAuthority {
    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final int MAX_DAYS = 3650;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final long OPENSSL_TIMEOUT_SECONDS = 60;

    private final Path dir;
    private final String openssl;

    /** A CA in {@code dir}, using {@code openssl} from the PATH. */
    public DevCertificateAuthority(Path dir) {
        this(dir, "openssl");
    }

    public DevCertificateAuthority(Path dir, String openssl) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.openssl = Objects.requireNonNull(openssl, "openssl");
    }

    /** Files written by an operation. */
    public record Issued(Path cert, Path key, String subject) {}

    public Path dir() {
        return dir;
    }

    public Path caCert() {
        return dir.resolve(CA_CERT);
    }

    /**
     * Creates the CA key and self-signed certificate.
     *
     * @param force replace an existing CA (every certificate it issued stops being trusted)
     */
    public Issued init(int days, boolean force) throws CertificateToolException {
        checkDays(days);
        Path cert = dir.resolve(CA_CERT);
        Path key = dir.resolve(CA_KEY);
        if (!force && (Files.exists(cert) || Files.exists(key))) {
            throw new CertificateToolException(dir + " already holds a CA (" + CA_CERT + "): pass --force to replace it"
                    + " (certificates it issued will no longer be trusted) or choose another directory");
        }
        String subject = "/O=Ringfleet/OU=dev-ca/CN=Ringfleet development CA";
        Path scratch = scratch();
        try {
            Path config = writeConfig(scratch, List.of(), false);
            Path k = scratch.resolve(CA_KEY);
            Path c = scratch.resolve(CA_CERT);
            genkey(k);
            run(
                    "req",
                    "-x509",
                    "-new",
                    "-config",
                    config.toString(),
                    "-extensions",
                    "ca_ext",
                    "-key",
                    k.toString(),
                    "-subj",
                    subject,
                    "-days",
                    Integer.toString(days),
                    "-sha256",
                    "-set_serial",
                    serial(),
                    "-out",
                    c.toString());
            install(List.of(k, c), force);
        } finally {
            deleteTree(scratch);
        }
        return new Issued(cert, key, subject);
    }

    /**
     * Issues a certificate for {@code name} with {@code role}.
     *
     * @param extraNames more DNS names or IP addresses for the certificate (a node's API and Raft host names)
     * @param force replace an existing certificate of that name
     */
    public Issued issue(Role role, String name, List<String> extraNames, int days, boolean force)
            throws CertificateToolException {
        Objects.requireNonNull(role, "role");
        checkDays(days);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new CertificateToolException("invalid name '" + name + "': 1 to 63 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        Path caCert = dir.resolve(CA_CERT);
        Path caKey = dir.resolve(CA_KEY);
        if (!Files.isRegularFile(caCert) || !Files.isRegularFile(caKey)) {
            throw new CertificateToolException("no CA in " + dir + ": run 'lbctl certs init --dir " + dir + "' first");
        }
        if (name.equals("ca")) {
            throw new CertificateToolException("the name 'ca' is taken by the CA's own files: choose another name");
        }
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        if (!force && (Files.exists(cert) || Files.exists(key))) {
            throw new CertificateToolException(cert + " already exists: pass --force to replace it");
        }
        List<String> sans = subjectAltNames(role, name, extraNames);
        String subject = "/O=Ringfleet/OU=" + role.ou() + "/CN=" + name;
        Path scratch = scratch();
        try {
            Path config = writeConfig(scratch, sans, role == Role.NODE);
            Path k = scratch.resolve(name + "-key.pem");
            Path csr = scratch.resolve(name + ".csr");
            Path c = scratch.resolve(name + ".pem");
            genkey(k);
            run(
                    "req",
                    "-new",
                    "-config",
                    config.toString(),
                    "-key",
                    k.toString(),
                    "-subj",
                    subject,
                    "-out",
                    csr.toString());
            run(
                    "x509",
                    "-req",
                    "-in",
                    csr.toString(),
                    "-CA",
                    caCert.toString(),
                    "-CAkey",
                    caKey.toString(),
                    "-set_serial",
                    serial(),
                    "-days",
                    Integer.toString(days),
                    "-sha256",
                    "-extfile",
                    config.toString(),
                    "-extensions",
                    "leaf_ext",
                    "-out",
                    c.toString());
            install(List.of(k, c), force);
        } finally {
            deleteTree(scratch);
        }
        return new Issued(cert, key, subject);
    }

    private static void checkDays(int days) throws CertificateToolException {
        if (days < 1 || days > MAX_DAYS) {
            throw new CertificateToolException("validity of " + days + " days is out of range: allowed 1.." + MAX_DAYS);
        }
    }

    /** "DNS:localhost", "IP:127.0.0.1", ... in order, without duplicates. */
    static List<String> subjectAltNames(Role role, String name, List<String> extraNames)
            throws CertificateToolException {
        Set<String> out = new LinkedHashSet<>();
        if (role == Role.NODE) {
            if (DNS_NAME.matcher(name).matches()) {
                out.add("DNS:" + name);
            }
            out.add("DNS:localhost");
            out.add("IP:127.0.0.1");
            out.add("IP:::1");
        }
        for (String extra : extraNames) {
            String e = extra.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.indexOf(':') >= 0 || e.matches("[0-9.]+")) {
                try {
                    out.add("IP:" + IpAddress.parse(e));
                } catch (IllegalArgumentException x) {
                    throw new CertificateToolException("'" + e + "' is not an IP address (" + x.getMessage() + ")");
                }
            } else if (DNS_NAME.matcher(e).matches()) {
                out.add("DNS:" + e.toLowerCase(Locale.ROOT));
            } else {
                throw new CertificateToolException("'" + e + "' is neither a DNS name nor an IP address");
            }
        }
        return new ArrayList<>(out);
    }

    private Path writeConfig(Path scratch, List<String> sans, boolean server) throws CertificateToolException {
        StringBuilder sb = new StringBuilder();
        sb.append("[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n");
        sb.append("[ca_ext]\nbasicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\n")
                .append("subjectKeyIdentifier = hash\n");
        sb.append("[leaf_ext]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n")
                .append("extendedKeyUsage = ")
                .append(server ? "serverAuth,clientAuth" : "clientAuth")
                .append('\n')
                .append("subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n");
        if (!sans.isEmpty()) {
            sb.append("subjectAltName = @alt\n[alt]\n");
            int dns = 0;
            int ip = 0;
            for (String san : sans) {
                if (san.startsWith("DNS:")) {
                    sb.append("DNS.")
                            .append(++dns)
                            .append(" = ")
                            .append(san.substring(4))
                            .append('\n');
                } else {
                    sb.append("IP.")
                            .append(++ip)
                            .append(" = ")
                            .append(san.substring(3))
                            .append('\n');
                }
            }
        }
        Path config = scratch.resolve("openssl.cnf");
        try {
            Files.writeString(config, sb.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CertificateToolException("cannot write " + config + ": " + e.getMessage(), e);
        }
        return config;
    }

    private void genkey(Path key) throws CertificateToolException {
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
    }

    private static String serial() {
        return "0x" + new BigInteger(63, new SecureRandom()).toString(16);
    }

    private void run(String... args) throws CertificateToolException {
        List<String> command = new ArrayList<>();
        command.add(openssl);
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new CertificateToolException(
                    "cannot run '" + openssl + "': is openssl installed and on the PATH?"
                            + " (Debian: apt-get install openssl)",
                    e);
        }
        String output;
        try {
            process.getOutputStream().close();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CertificateToolException(
                        "openssl " + args[0] + " did not finish within " + OPENSSL_TIMEOUT_SECONDS + " s");
            }
        } catch (IOException e) {
            throw new CertificateToolException("openssl " + args[0] + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CertificateToolException("interrupted while openssl " + args[0] + " ran", e);
        }
        if (process.exitValue() != 0) {
            throw new CertificateToolException(
                    "openssl " + args[0] + " failed (exit " + process.exitValue() + "): " + lastLine(output));
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "no output";
    }

    private Path scratch() throws CertificateToolException {
        try {
            Files.createDirectories(dir);
            return Files.createTempDirectory(
                    dir,
                    ".lbctl-certs-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new CertificateToolException("cannot create a directory in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Moves the scratch files into the CA directory: keys owner-only, certificates world-readable. */
    private void install(List<Path> files, boolean replace) throws CertificateToolException {
        try {
            for (Path f : files) {
                boolean isKey = f.getFileName().toString().endsWith("-key.pem");
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(isKey ? "rw-------" : "rw-r--r--"));
            }
            for (Path f : files) {
                Path target = dir.resolve(f.getFileName().toString());
                try {
                    if (replace) {
                        Files.move(f, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        Files.move(f, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new CertificateToolException(e.getFile() + " appeared meanwhile: pass --force to replace it", e);
        } catch (IOException e) {
            throw new CertificateToolException("cannot install the files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover scratch directory holds nothing installed
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
