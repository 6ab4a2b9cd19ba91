/**
 * The fleet config file: one YAML file describing the Raft peers, every LB host's settings, TLS material and
 * fleet-wide limits. {@link io.ringfleet.config.FleetConfigLoader} reads and validates it, reporting every
 * problem with file, line and field; {@link io.ringfleet.config.FleetConfig} is the immutable result and
 * {@link io.ringfleet.config.FleetConfig#self(String)} one agent's view of it. The format is described in
 * {@code cluster-config/README.md}.
 */
package io.ringfleet.config;
