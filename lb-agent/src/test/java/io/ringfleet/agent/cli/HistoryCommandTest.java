package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.api.ApiFixture;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.HistoryEntry;
import io.ringfleet.api.HistoryResponse;
import io.ringfleet.api.ReplyCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code lbctl history} against a node's real API (mutual TLS, the in-process log): the audit trail newest first,
 * applied and rejected writes alike, with the principal the certificate gave and the node the write came through;
 * and text from callers printed escaped.
 */
class HistoryCommandTest {
    private ApiFixture api;
    private LbctlRunner lbctl;

    @BeforeEach
    void start() throws Exception {
        TestPki pki = TestPki.shared();
        api = ApiFixture.start(pki);
        lbctl = new LbctlRunner(api.target(), pki.ca(), pki.dir);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    @Test
    void historyListsAppliedAndRejectedWritesNewestFirst() throws Exception {
        // What the agent logged at start (its fleet-settings bootstrap) is in the trail too.
        int before = json(lbctl.as("bob", "-o", "json", "history")).getKept();
        ok("vip", "add", "tcp", "10.200.1.1:80", "--request-id", "first");
        LbctlRunner.Result again = lbctl.as("alice", "vip", "add", "tcp", "10.200.1.1:80", "--request-id", "again");
        assertTrue(again.exit() != 0, again.toString());
        ok("vip", "add", "tcp", "10.200.1.2:80", "--request-id", "third");

        HistoryResponse r = json(lbctl.as("bob", "-o", "json", "history", "-n", "2"));
        assertEquals(
                List.of("third", "again"),
                r.getEntriesList().stream().map(HistoryEntry::getRequestId).toList());
        assertEquals(before + 3, r.getKept());
        HistoryEntry rejected = r.getEntries(1);
        assertEquals(ReplyCode.ALREADY_EXISTS, rejected.getCode());
        assertEquals("alice", rejected.getPrincipal(), "the certificate's CN, stamped by the node");
        assertEquals("lb1", rejected.getViaNode());
        assertTrue(r.getEntries(0).getLogIndex() > rejected.getLogIndex());

        List<String> table = ok("history").outLines();
        assertEquals(1 + before + 3, table.size(), String.join("\n", table));
        assertTrue(table.get(0).startsWith("INDEX"), table.get(0));
        assertTrue(table.get(1).contains("third") && table.get(1).endsWith("applied"), table.get(1));
        assertTrue(table.get(2).contains("again") && table.get(2).contains("ALREADY_EXISTS: "), table.get(2));
        assertTrue(table.get(3).contains("first") && table.get(3).contains(" alice "), table.get(3));
    }

    @Test
    void aLimitOutsideTheKeptHistoryIsAUsageError() {
        LbctlRunner.Result r = lbctl.as("alice", "history", "-n", "1001");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertEquals("lbctl: usage: -n 1001 is out of range: allowed 1..1000\n", r.err());
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void aDrainReasonCannotForgeLinesNorDriveTheTerminal() {
        ok("node", "drain", "lb2", "--reason", "upgrade\nlb3  admin  2026-01-01  \u001b[2J\u001b[31mforged");
        List<String> lines = ok("node", "list").outLines();
        assertEquals(2, lines.size(), "a header and one node: " + lines);
        String row = lines.get(1);
        assertFalse(row.contains("\u001b"), "no escape reaches the terminal: " + row);
        assertTrue(row.endsWith("upgrade\\nlb3  admin  2026-01-01  \\e[2J\\e[31mforged"), row);
    }

    private LbctlRunner.Result ok(String... args) {
        LbctlRunner.Result r = lbctl.as("alice", args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    private static HistoryResponse json(LbctlRunner.Result r) throws Exception {
        assertEquals(0, r.exit(), r.toString());
        HistoryResponse.Builder b = HistoryResponse.newBuilder();
        LbctlJson.merge(r.out(), b);
        return b.build();
    }
}
