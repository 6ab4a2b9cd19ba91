package io.ringfleet.chaos.sim;

/**
 * Keeps Ratis's own logging out of the simulation's output: every schedule cuts links, kills servers and
 * wipes disks on purpose, and Ratis logs each of those at WARN or ERROR. slf4j-simple reads a logger's level
 * from system properties when the logger is created, so this must run before Ratis classes load; set
 * {@code -Dchaos.ratisLog=info} (or warn, debug) to see them.
 */
final class Quiet {
  private Quiet() {}

  static void ratisLogs() {
    String level = System.getProperty("chaos.ratisLog", "off");
    for (String logger : new String[] {"org.apache.ratis", "io.ringfleet.state"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, level);
      }
    }
  }
}
