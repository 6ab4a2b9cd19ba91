package io.ringfleet.chaos.sim;

import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Keeps Ratis's own logging out of the simulation's output: every schedule cuts links, kills servers and
 * wipes disks on purpose, and Ratis logs each of those at INFO, WARN or ERROR (thousands of lines per
 * schedule). Set {@code -Dchaos.ratisLog=info} (or debug, warn) to see them when studying a seed.
 *
 * <p>slf4j-simple reads a logger's level from system properties when the logger is created: the properties
 * are set here before Ratis's classes load. If another test in the same JVM created Ratis's loggers first,
 * their levels are adjusted in place (slf4j-simple only; anything else is left alone).
 */
final class Quiet {
    private static final String[] LOGGERS = {"org.apache.ratis", "io.ringfleet.state"};

    private Quiet() {}

    static void ratisLogs() {
        String level = System.getProperty("chaos.ratisLog", "off").toLowerCase(Locale.ROOT);
        for (String logger : LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, level);
            }
        }
        adjustExisting(level);
    }

    private static void adjustExisting(String level) {
        try {
            ILoggerFactory factory = LoggerFactory.getILoggerFactory();
            if (!factory.getClass().getName().equals("org.slf4j.simple.SimpleLoggerFactory")) {
                return;
            }
            Field mapField = factory.getClass().getDeclaredField("loggerMap");
            mapField.setAccessible(true);
            Map<?, ?> loggers = (Map<?, ?>) mapField.get(factory);
            Class<?> simple = Class.forName("org.slf4j.simple.SimpleLogger");
            Field levelConstant = simple.getDeclaredField("LOG_LEVEL_" + level.toUpperCase(Locale.ROOT));
            levelConstant.setAccessible(true);
            int value = levelConstant.getInt(null);
            Field current = simple.getDeclaredField("currentLogLevel");
            current.setAccessible(true);
            for (Map.Entry<?, ?> e : loggers.entrySet()) {
                String name = String.valueOf(e.getKey());
                for (String prefix : LOGGERS) {
                    if (name.startsWith(prefix) && simple.isInstance(e.getValue())) {
                        current.setInt(e.getValue(), value);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not slf4j-simple 2.x: leave the logging as it is configured.
        }
    }
}
