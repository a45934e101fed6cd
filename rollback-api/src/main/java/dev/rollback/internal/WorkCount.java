package dev.rollback.internal;

/**
 * The counter of files and bytes that the current thread's step handles, for helpers below the host layer
 * ({@link Files2#sha256(java.nio.file.Path)}). {@code dev.rollback.host.WorkMeter} binds its meter here as well
 * as in its own slot, so what a helper counts shows on the step's meter; unbound, counts are dropped.
 *
 * <p>Thread-safe: each thread has its own binding.
 */
public final class WorkCount {

    /** Where counts go. */
    @FunctionalInterface
    public interface Sink {
        /** Adds {@code files} files and {@code bytes} bytes handled. */
        void add(long files, long bytes);
    }

    private static final Sink NONE = (files, bytes) -> { };
    private static final ThreadLocal<Sink> CURRENT = new ThreadLocal<>();

    private WorkCount() {}

    /** The sink bound to this thread, or one that drops counts. */
    public static Sink current() {
        Sink s = CURRENT.get();
        return s != null ? s : NONE;
    }

    /**
     * Binds {@code sink} to this thread until the returned handle runs, which brings back the binding before it.
     */
    public static Runnable bind(Sink sink) {
        Sink before = CURRENT.get();
        CURRENT.set(sink);
        return () -> {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        };
    }
}
