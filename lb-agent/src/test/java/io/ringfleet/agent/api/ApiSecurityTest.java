package io.ringfleet.agent.api;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.applyRequest;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.katran.KatranServiceGrpc;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Mutual TLS and roles on the API, with real certificates and a real TLS handshake on loopback. */
class ApiSecurityTest {
    ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = ApiFixture.start(TestPki.shared());
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private static boolean causedBySsl(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void readOnlyCertificateReadsButEveryWriteIsPermissionDenied() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub bob = api.control("bob");
        assertEquals(0, bob.listVips(ListVipsRequest.getDefaultInstance()).getVipsCount());
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> bob.apply(applyRequest(addVip(vip("10.0.0.1", 80, TCP)))));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals(
                "bob has role read-only, which may only read; ringfleet.v1.ControlService/Apply needs an operator"
                        + " certificate",
                e.getStatus().getDescription());
        StatusRuntimeException dry = assertThrows(
                StatusRuntimeException.class,
                () -> bob.apply(ApplyRequest.newBuilder()
                        .addCommands(addVip(vip("10.0.0.1", 80, TCP)))
                        .setDryRun(true)
                        .build()));
        assertEquals(Status.Code.PERMISSION_DENIED, dry.getStatus().getCode());
        KatranServiceGrpc.KatranServiceBlockingStub katran = api.katran("bob");
        StatusRuntimeException k = assertThrows(
                StatusRuntimeException.class,
                () -> katran.addVip(VipWithFlags.newBuilder()
                        .setVip(VipId.newBuilder()
                                .setAddress("10.0.0.1")
                                .setPort(80)
                                .setProtocol(6))
                        .build()));
        assertEquals(Status.Code.PERMISSION_DENIED, k.getStatus().getCode());
        assertTrue(api.log.entries().isEmpty(), "nothing may reach the log");
        assertTrue(api.log.image().vips().isEmpty());
        // Each denial is logged, one line naming the method, the caller's address and the reason; the read is not.
        assertEquals(3, api.refusals.size(), api.refusals.toString());
        assertTrue(
                api.refusals
                        .get(0)
                        .startsWith("refused ringfleet.v1.ControlService/Apply from 127.0.0.1: PERMISSION_DENIED bob"
                                + " has role read-only"),
                api.refusals.get(0));
        assertTrue(api.refusals.get(2).startsWith("refused lb.katran.KatranService/addVip"), api.refusals.get(2));
    }

    @Test
    void nodeCertificateMayReadButNotWrite() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub node = api.control("lb2");
        node.listVips(ListVipsRequest.getDefaultInstance());
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> node.apply(applyRequest(addVip(vip("10.0.0.1", 80, TCP)))));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    }

    @Test
    void clientWithoutCertificateIsRefusedAtTheHandshake() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub anonymous = ControlServiceGrpc.newBlockingStub(
                        api.channelWithoutCertificate())
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> anonymous.listVips(ListVipsRequest.getDefaultInstance()));
        assertEquals(
                Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(api.log.entries().isEmpty());
    }

    /**
     * Security probe: a certificate of another CA is refused at the handshake, and the refusal is logged (one
     * sanitised line). The control: the fleet's operator certificate handshakes and no refusal is logged.
     */
    @Test
    @Tag(SecurityProbeSummary.TAG)
    void certificateFromAnotherCaIsRefused() throws Exception {
        api.control("alice").listVips(ListVipsRequest.getDefaultInstance());
        assertEquals(List.of(), api.refusals, "a fleet certificate is not a refusal");
        ControlServiceGrpc.ControlServiceBlockingStub mallory = ControlServiceGrpc.newBlockingStub(
                        api.channel(api.pki.rogueOperator().apiClientCredentials()))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> mallory.apply(applyRequest(addVip(vip("10.0.0.1", 80, TCP)))));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(causedBySsl(e), "expected a TLS failure, got " + e);
        assertTrue(api.log.entries().isEmpty());
        assertEquals(List.of(), api.refusals, "mallory trusts only its own CA: it gives up before the server checks");

        // An attacker who has the fleet's CA certificate (public) trusts the server and offers its own certificate:
        // the server refuses it and logs it.
        ControlServiceGrpc.ControlServiceBlockingStub eve = ControlServiceGrpc.newBlockingStub(
                        api.channel(TlsChannelCredentials.newBuilder()
                                .keyManager(api.pki.rogueOperator().keyManager())
                                .trustManager(api.pki.material("alice").caTrustManager())
                                .build()))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class, () -> eve.apply(applyRequest(addVip(vip("10.0.0.1", 80, TCP)))));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
        assertTrue(api.log.entries().isEmpty());
        // At least one line (the channel may retry the handshake), each the refusal of a client certificate.
        List<String> refusals = List.copyOf(api.refusals);
        assertTrue(!refusals.isEmpty(), "the refused handshake was not logged");
        for (String line : refusals) {
            assertTrue(
                    line.startsWith("refused a TLS handshake on the API: the client certificate fails the fleet CA's"
                            + " checks (chain, validity, key usage): "),
                    line);
        }
    }

    @Test
    void plaintextClientCannotTalkToTheTlsServer() {
        ControlServiceGrpc.ControlServiceBlockingStub plain = ControlServiceGrpc.newBlockingStub(
                        api.channel(InsecureChannelCredentials.create()))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        StatusRuntimeException e =
                assertThrows(StatusRuntimeException.class, () -> plain.listVips(ListVipsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
}
