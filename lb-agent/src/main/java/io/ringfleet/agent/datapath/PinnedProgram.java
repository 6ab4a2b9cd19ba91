package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The program a datapath runs, chosen between the one just loaded and one pinned by an earlier agent.
 *
 * <p>Pins are named {@code prog_<kind>_<object>_<sha256 of the object file, 12 hex>} (bpffs reserves dots): the same object file finds
 * its own pin again and reuses that program (an agent restart keeps the attached program, its id and its
 * state), while a different object (an upgrade, another variant) loads afresh and replaces the old program
 * atomically when attached. Pins of the same kind under other names are the "previous" programs: recognised
 * as ours when found attached, unpinned once the chosen program has taken their place.
 */
final class PinnedProgram implements AutoCloseable {
    private final BpfProgram program;
    private final boolean reused;
    private final List<BpfProgram> previous;
    private final List<Path> previousPins;

    private PinnedProgram(BpfProgram program, boolean reused, List<BpfProgram> previous, List<Path> previousPins) {
        this.program = program;
        this.reused = reused;
        this.previous = new ArrayList<>(previous); // retirePrevious() empties them
        this.previousPins = new ArrayList<>(previousPins);
    }

    /**
     * @param loaded      the loaded object
     * @param name        the program's name in the object
     * @param kind        "xdp" or "tc": pins of one kind replace each other
     * @param mapsPinned  whether every map was already pinned before the load (a pinned program may be reused
     *                    only then: otherwise it works on maps the new object does not use)
     */
    static PinnedProgram choose(
            BpfObject loaded,
            String name,
            String kind,
            String objectName,
            Path objectFile,
            Optional<Path> pinDir,
            boolean mapsPinned) {
        BpfProgram fresh = loaded.program(name);
        if (pinDir.isEmpty()) {
            return new PinnedProgram(fresh, false, List.of(), List.of());
        }
        Path dir = pinDir.get();
        String prefix = "prog_" + kind + "_";
        Path pin = dir.resolve(prefix + objectName + "_" + fileHash(objectFile));
        List<BpfProgram> previous = new ArrayList<>();
        List<Path> previousPins = new ArrayList<>();
        try {
            for (Path p : pinsStartingWith(dir, prefix)) {
                if (!p.equals(pin)) {
                    previous.add(BpfProgram.openPinned(p));
                    previousPins.add(p);
                }
            }
            if (Files.exists(pin)) {
                BpfProgram pinned = BpfProgram.openPinned(pin);
                if (mapsPinned) {
                    fresh.close();
                    return new PinnedProgram(pinned, true, previous, previousPins);
                }
                // The maps were (partly) created anew, so the pinned program works on maps nobody programs.
                previous.add(pinned);
                BpfProgram.unpin(pin);
            }
            fresh.pin(pin);
            return new PinnedProgram(fresh, false, previous, previousPins);
        } catch (RuntimeException e) {
            fresh.close();
            previous.forEach(BpfProgram::close);
            throw e;
        }
    }

    BpfProgram program() {
        return program;
    }

    /** The program came from its pin (loaded by an earlier agent), not from this load. */
    boolean reused() {
        return reused;
    }

    /** An earlier Ringfleet program of this kind with that kernel id, if one was pinned. */
    Optional<BpfProgram> previousWithId(int id) {
        return previous.stream().filter(p -> p.id() == id).findFirst();
    }

    /** Unpins and forgets the earlier programs: call once the chosen program is where they were. */
    void retirePrevious() {
        for (Path p : previousPins) {
            BpfProgram.unpin(p);
        }
        previousPins.clear();
        previous.forEach(BpfProgram::close);
        previous.clear();
    }

    @Override
    public void close() {
        program.close();
        previous.forEach(BpfProgram::close);
    }

    private static List<Path> pinsStartingWith(Path dir, String prefix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing pins in " + dir, e);
        }
    }

    static String fileHash(Path file) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
