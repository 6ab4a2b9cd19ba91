package io.ringfleet.agent.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real certificates for tests, made by {@link DevCertificateAuthority} (openssl) in a directory: the
 * fleet CA with node lb1..lb3, operator alice, read-only bob; and a second, unrelated CA with an operator
 * mallory (to prove that only the fleet CA is trusted).
 */
public final class TestPki {
    public final Path dir;
    public final Path rogueDir;

    private TestPki(Path dir, Path rogueDir) {
        this.dir = dir;
        this.rogueDir = rogueDir;
    }

    private static TestPki shared;

    /** One PKI for every test class in this JVM (openssl runs once), removed when the JVM exits. */
    public static synchronized TestPki shared() throws Exception {
        if (shared == null) {
            Path root = Files.createTempDirectory("ringfleet-test-pki-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temp directory left behind
                }
            }));
            shared = create(root);
        }
        return shared;
    }

    public static TestPki create(Path root) throws Exception {
        return create(root, 3);
    }

    /** As {@link #create(Path)} with node certificates lb1..lb{nodes}. */
    public static TestPki create(Path root, int nodes) throws Exception {
        Path dir = Files.createDirectories(root.resolve("fleet-ca"));
        DevCertificateAuthority ca = new DevCertificateAuthority(dir);
        ca.init(30, false);
        for (int i = 1; i <= nodes; i++) {
            ca.issue(Role.NODE, "lb" + i, List.of(), 30, false);
        }
        ca.issue(Role.OPERATOR, "alice", List.of(), 30, false);
        ca.issue(Role.READ_ONLY, "bob", List.of(), 30, false);
        Path rogueDir = Files.createDirectories(root.resolve("rogue-ca"));
        DevCertificateAuthority rogue = new DevCertificateAuthority(rogueDir);
        rogue.init(30, false);
        rogue.issue(Role.OPERATOR, "mallory", List.of(), 30, false);
        rogue.issue(Role.NODE, "lb1", List.of(), 30, false);
        return new TestPki(dir, rogueDir);
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + "-key.pem");
    }

    public TlsMaterial material(String name) throws TlsMaterialException {
        return TlsMaterial.load(ca(), cert(name), key(name));
    }

    /** mallory's certificate, signed by the rogue CA, presented with trust in the fleet CA. */
    public TlsMaterial rogueOperator() throws TlsMaterialException {
        return TlsMaterial.load(
                rogueDir.resolve("ca.pem"), rogueDir.resolve("mallory.pem"), rogueDir.resolve("mallory-key.pem"));
    }
}
