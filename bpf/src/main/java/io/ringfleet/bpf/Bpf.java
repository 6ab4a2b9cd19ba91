package io.ringfleet.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Library-level facts and the BPF objects shipped in the jar. */
public final class Bpf {
    private Bpf() {}

    private static volatile int possibleCpus;

    /** libbpf's count of possible CPUs: the number of slots in every per-CPU map value. */
    public static int numPossibleCpus() {
        int n = possibleCpus;
        if (n == 0) {
            n = NativeBpf.numPossibleCpus();
            possibleCpus = n;
        }
        return n;
    }

    public static String libbpfVersion() {
        return NativeBpf.libbpfVersion();
    }

    /**
     * A shipped BPF object ({@code /native/NAME.bpf.o} on the classpath) as a file: the file itself
     * when the classpath is a directory, else a temporary copy out of the jar.
     *
     * @param name e.g. "healthcheck", "xdp_root", "balancer"
     */
    public static Path shippedObject(String name) {
        return resourceFile("/native/" + name + ".bpf.o");
    }

    /** A classpath resource as a file (a temporary copy when it is inside a jar). */
    public static Path resourceFile(String resource) {
        URL url = Bpf.class.getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("no resource " + resource + " on the classpath");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            String base = resource.substring(resource.lastIndexOf('/') + 1);
            Path tmp = Files.createTempFile("rf-", "-" + base);
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + resource, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
