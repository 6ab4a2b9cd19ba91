package io.ringfleet.state;

/**
 * A record does not fit the image it is replayed onto (a vip_num already in use, a real index with
 * another address, ...). Records are produced by validation against the same image, so this means a
 * corrupt log or snapshot, or a bug: the replica must stop rather than diverge. A delta that threw this
 * is unusable.
 */
public final class ReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplayException(String message) {
        super(message);
    }
}
