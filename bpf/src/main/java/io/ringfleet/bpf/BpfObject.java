package io.ringfleet.bpf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A BPF object file (libbpf bpf_object): open, size its maps, choose pin paths, load, then hand
 * out its maps and programs. Lifecycle: {@link #open} → (optional {@link #setMaxEntries},
 * {@link #pinMapsIn}) → {@link #load()} → {@link #map} / {@link #program} → {@link #close()}.
 *
 * <p>Pinned maps are reused: when a map has a pin path and a compatible map is already pinned
 * there, libbpf uses that map instead of creating one (so an agent restart keeps the connection
 * table); a missing pin is created after the map is. An incompatible pinned map (type, sizes,
 * max_entries or flags differ) fails the load.
 *
 * <p>Maps and programs handed out own a duplicate fd and stay valid after this object is closed.
 */
public final class BpfObject implements AutoCloseable {
    private long handle;
    private boolean loaded;
    private final Path file;

    private BpfObject(Path file, long handle) {
        this.file = file;
        this.handle = handle;
    }

    /** Opens (does not load) an object file. */
    public static BpfObject open(Path file) {
        return open(file, Map.of());
    }

    /**
     * Opens an object file and sets max_entries of the named maps before load.
     *
     * @param maxEntries map name → max_entries; every name must be a map of the object
     */
    public static BpfObject open(Path file, Map<String, Integer> maxEntries) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(maxEntries, "maxEntries");
        BpfObject obj = new BpfObject(file, NativeBpf.objectOpen(file.toString()));
        try {
            maxEntries.forEach(obj::setMaxEntries);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        return obj;
    }

    public Path file() {
        return file;
    }

    public List<String> mapNames() {
        return List.of(NativeBpf.objectMapNames(handle("mapNames")));
    }

    public List<String> programNames() {
        return List.of(NativeBpf.objectProgramNames(handle("programNames")));
    }

    /** Sets a map's max_entries (before load). */
    public BpfObject setMaxEntries(String map, int maxEntries) {
        requireNotLoaded("setMaxEntries");
        NativeBpf.objectSetMaxEntries(handle("setMaxEntries"), map, maxEntries);
        return this;
    }

    /** Pins one map at path (before load), reusing a compatible map already pinned there. */
    public BpfObject setPinPath(String map, Path path) {
        requireNotLoaded("setPinPath");
        NativeBpf.objectSetPinPath(handle("setPinPath"), map, path == null ? null : path.toString());
        return this;
    }

    /**
     * Pins every map of the object as dir/NAME (before load), reusing those already pinned.
     * Internal maps (.bss, .data, .rodata, .kconfig) are not pinned. dir must exist in bpffs.
     */
    public BpfObject pinMapsIn(Path dir) {
        Objects.requireNonNull(dir, "dir");
        for (String name : mapNames()) {
            if (!name.contains(".")) {
                setPinPath(name, dir.resolve(name));
            }
        }
        return this;
    }

    /** Loads the programs (verifier) and creates or reuses the maps. */
    public BpfObject load() {
        requireNotLoaded("load");
        NativeBpf.objectLoad(handle("load"));
        loaded = true;
        return this;
    }

    /** A map of the loaded object (its own fd: close it when done). */
    public BpfMap map(String name) {
        requireLoaded("map");
        return BpfMap.adopt(NativeBpf.objectMapFd(handle("map"), name));
    }

    /** A program of the loaded object (its own fd: close it when done). */
    public BpfProgram program(String name) {
        requireLoaded("program");
        return BpfProgram.adopt(NativeBpf.objectProgramFd(handle("program"), name));
    }

    public boolean isLoaded() {
        return loaded;
    }

    private long handle(String op) {
        if (handle == 0) {
            throw BpfException.of(op, BpfException.EBADF, "BPF object " + file + " is closed");
        }
        return handle;
    }

    private void requireNotLoaded(String op) {
        if (loaded) {
            throw BpfException.of(op, BpfException.EBUSY, "BPF object " + file + " is already loaded");
        }
    }

    private void requireLoaded(String op) {
        if (!loaded) {
            throw BpfException.invalid(op, "BPF object " + file + " is not loaded yet");
        }
    }

    /** Frees the object; programs and maps handed out (or attached / pinned) stay alive. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            NativeBpf.objectClose(handle);
            handle = 0;
        }
    }
}
