package io.ringfleet.bpf;

/**
 * The JNI surface: one static native per libbpf / bpf(2) call, no logic. Every method throws
 * {@link BpfException} on failure (never aborts the JVM). Package-private: callers use the
 * typed wrappers ({@link BpfObject}, {@link BpfMap}, {@link BpfProgram}, {@link Xdp}, {@link Tc}).
 *
 * <p>fds are plain ints owned by the Java wrapper that received them; handles of bpf_object are
 * the native pointer as a long.
 */
final class NativeBpf {
    private NativeBpf() {}

    static {
        NativeLibrary.ensureLoaded();
    }

    // --- library ---
    static native String libbpfVersion();

    static native int numPossibleCpus();
    /** "struct.field=offset" and "struct=size" entries for every struct in rf_abi.h. */
    static native String[] abiLayout();

    // --- bpf_object ---
    static native long objectOpen(String path);

    static native String[] objectMapNames(long obj);

    static native String[] objectProgramNames(long obj);

    static native void objectSetMaxEntries(long obj, String map, int maxEntries);

    static native void objectSetPinPath(long obj, String map, String path);

    static native void objectLoad(long obj);
    /** Returns a dup of the map's fd, owned by the caller. */
    static native int objectMapFd(long obj, String map);
    /** Returns a dup of the program's fd, owned by the caller. */
    static native int objectProgramFd(long obj, String prog);

    static native void objectClose(long obj);

    // --- fds and pins ---
    static native int objGet(String path);

    static native void objPin(int fd, String path);

    static native void closeFd(int fd);
    /** {type, key_size, value_size, max_entries, map_flags, id}. */
    static native int[] mapInfo(int fd);

    static native String mapName(int fd);
    /** {type, id}. */
    static native int[] progInfo(int fd);

    static native String progName(int fd);

    // --- maps ---
    static native int mapCreate(
            int type, String name, int keySize, int valueSize, int maxEntries, int flags, int innerMapFd);

    static native void mapUpdate(int fd, byte[] key, int keySize, byte[] value, int valueSize, long flags);
    /** Returns null when the key is absent (ENOENT). */
    static native byte[] mapLookup(int fd, byte[] key, int keySize, int valueSize);
    /** Returns false when the key is absent (ENOENT). */
    static native boolean mapDelete(int fd, byte[] key, int keySize);
    /** Returns null after the last key; key null asks for the first. */
    static native byte[] mapNextKey(int fd, byte[] key, int keySize);
    /** BPF_MAP_UPDATE_BATCH of count packed keys/values; returns how many were updated. */
    static native int mapUpdateBatch(
            int fd, byte[] keys, int keySize, byte[] values, int valueSize, int count, long elemFlags);
    /**
     * BPF_MAP_LOOKUP_BATCH. inToken null starts from the beginning; outToken receives the cursor.
     * Returns count | (done ? 1L << 32 : 0).
     */
    static native long mapLookupBatch(
            int fd,
            byte[] inToken,
            byte[] outToken,
            byte[] keys,
            int keySize,
            byte[] values,
            int valueSize,
            int maxCount);

    // --- programs ---
    /** Fills dataOut/ctxOut (may be null); returns {retval, duration, dataSizeOut, ctxSizeOut}. */
    static native long[] progTestRun(
            int fd,
            byte[] dataIn,
            byte[] dataOut,
            byte[] ctxIn,
            byte[] ctxOut,
            int repeat,
            int flags,
            int cpu,
            int batchSize);

    // --- XDP ---
    static native void xdpAttach(int ifindex, int progFd, int flags, int oldProgFd);

    static native void xdpDetach(int ifindex, int flags, int oldProgFd);

    static native int xdpQueryId(int ifindex, int flags);

    // --- tc ---
    static native void tcHookCreate(int ifindex, int attachPoint);

    static native void tcHookDestroy(int ifindex, int attachPoint);
    /** Returns {handle, priority, prog_id}. */
    static native int[] tcAttach(int ifindex, int attachPoint, int progFd, int handle, int priority, int flags);

    static native void tcDetach(int ifindex, int attachPoint, int handle, int priority);
    /** Returns the attached prog id, or 0 when no filter has that handle/priority. */
    static native int tcQuery(int ifindex, int attachPoint, int handle, int priority);

    // --- namespaces, interfaces, sockets ---
    /** Opens a namespace file (O_RDONLY|O_CLOEXEC) and returns the fd. */
    static native int nsOpen(String path);
    /** setns(fd, CLONE_NEWNET) for the calling thread only. */
    static native void nsEnter(int fd);

    static native int ifNameToIndex(String name);
    /** setsockopt(SOL_SOCKET, SO_MARK) on the fd of a JDK NIO channel. */
    static native void setSocketMark(Object channel, int mark);
}
