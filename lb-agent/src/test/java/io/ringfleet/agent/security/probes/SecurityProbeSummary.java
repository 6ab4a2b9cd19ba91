package io.ringfleet.agent.security.probes;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints {@code security: P probes, A accepted} once the module's tests have run. A probe is any test tagged
 * {@value #TAG}: it attacks a running component (a rogue certificate, a forged principal, a malformed request,
 * a slow client, a foreign-owned directory) and passes only if the attack is refused. A probe that fails or
 * aborts counts as accepted, so the line can only say 0 when every probe ran and held.
 */
public final class SecurityProbeSummary implements TestExecutionListener {
    public static final String TAG = "security-probe";
    private static final TestTag PROBE = TestTag.create(TAG);

    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest() || !test.getTags().contains(PROBE)) {
            return;
        }
        probes.incrementAndGet();
        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            accepted.incrementAndGet();
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest() && test.getTags().contains(PROBE)) {
            probes.incrementAndGet();
            accepted.incrementAndGet();
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (probes.get() > 0) {
            System.out.println("security: " + probes.get() + " probes, " + accepted.get() + " accepted");
        }
    }
}
