/**
 * The agent's side of the fleet log: the API's {@code FleetGateway} over this node's Ratis peer and client
 * ({@link io.ringfleet.agent.fleet.RaftFleetGateway}) and the wait for this node to apply an index. The only
 * package of lb-agent's API path that speaks Ratis.
 */
package io.ringfleet.agent.fleet;
