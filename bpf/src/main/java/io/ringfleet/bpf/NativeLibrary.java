package io.ringfleet.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads libringfleet_bpf.so once: from the path in system property {@value #PROPERTY} or
 * environment variable {@value #ENV} when set, else from the jar ({@code /native/}) through a
 * temporary copy.
 */
public final class NativeLibrary {
    public static final String PROPERTY = "ringfleet.bpf.lib";
    public static final String ENV = "RINGFLEET_BPF_LIB";
    static final String RESOURCE = "/native/libringfleet_bpf.so";

    private static volatile Path loadedFrom;

    private NativeLibrary() {}

    /** Loads the shim if it is not loaded yet; returns where it was loaded from. */
    public static synchronized Path ensureLoaded() {
        if (loadedFrom != null) {
            return loadedFrom;
        }
        String override = System.getProperty(PROPERTY);
        if (override == null || override.isBlank()) {
            override = System.getenv(ENV);
        }
        Path path;
        if (override != null && !override.isBlank()) {
            path = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(
                        "JNI shim override " + path + " (from -D" + PROPERTY + " or $" + ENV + ") is not a file");
            }
        } else {
            path = extract();
        }
        System.load(path.toString());
        loadedFrom = path;
        return path;
    }

    private static Path extract() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("JNI shim " + RESOURCE + " is not on the classpath; build the bpf "
                        + "module (make in bpf/src/main/c) or set -D" + PROPERTY + "=/path/libringfleet_bpf.so");
            }
            Path tmp = Files.createTempFile("libringfleet_bpf", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("copying the JNI shim out of the jar", e);
        }
    }
}
