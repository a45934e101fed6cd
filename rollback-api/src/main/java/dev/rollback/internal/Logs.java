package dev.rollback.internal;

import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The library's loggers. Where the class path holds an SLF4J provider they are SLF4J's; where it holds none, the
 * library logs nothing and says so in one line on standard error, instead of SLF4J's three-line warning, the
 * first time a logger is asked for. Thread-safe.
 */
public final class Logs {

    private static final boolean PROVIDED = providerPresent();

    private Logs() {}

    /** The logger of {@code type}. */
    public static Logger of(Class<?> type) {
        return PROVIDED ? LoggerFactory.getLogger(type) : NOPLogger.NOP_LOGGER;
    }

    /** The logger named {@code name}. */
    public static Logger named(String name) {
        return PROVIDED ? LoggerFactory.getLogger(name) : NOPLogger.NOP_LOGGER;
    }

    private static boolean providerPresent() {
        if (System.getProperty("slf4j.provider") != null) {
            return true;
        }
        boolean found;
        try {
            found = ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader()).findFirst()
                    .isPresent();
        } catch (java.util.ServiceConfigurationError e) {
            found = true; // a broken provider: let SLF4J say what is wrong with it
        }
        if (!found) {
            System.err.println("rollback: no SLF4J provider on the class path, so the library's log is off (its events"
                    + " still reach your listeners); add org.slf4j:slf4j-simple or your logging backend's SLF4J 2"
                    + " provider to see it");
        }
        return found;
    }
}
