package io.ringfleet.agent.cli;

import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.GetFleetSettingsResponse;
import java.util.List;

/**
 * The Apply request {@code lbctl settings set --max-vips N} sends after reading {@code read}: lets a test put a
 * write between lbctl's read and its Apply (the race the expected state index is there for), which a run of the
 * whole command cannot do deterministically.
 */
public final class SettingsSetRequests {
    private SettingsSetRequests() {}

    public static ApplyRequest maxVips(GetFleetSettingsResponse read, int maxVips) throws Exception {
        SettingsCommands.Set set = new SettingsCommands.Set();
        set.write = new WriteOptions();
        set.maxVips = maxVips;
        set.changeFrom(read);
        return set.write.request(List.of(set.command().build()));
    }
}
