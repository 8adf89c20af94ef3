package dev.rawsock.helper;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.Lab;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Labs through the helper: LAB_OPEN builds one for the connection and adds 198.18.0.0/15 to what that
 * client may send to; a SYN to a closed port of the lab's target kernel, sent by the helper in the lab,
 * brings back the target's RST in a lab capture; after LAB_CLOSE the lab is gone and the range refused
 * again; a lab still open when its client disconnects is removed.
 */
class HelperLabTest {
    private static ByteBuffer syn(int source, int destination, int port) {
        PacketSpec spec = PacketSpec.tcp().source(source).destination(destination).sourcePort(40_404).destinationPort(port)
                .sequence(7L).flags(TcpFlags.SYN).window(1024);
        ByteBuffer b = ByteBuffer.allocate(128);
        return b.limit(new Assembler().assemble(spec, Randomness.seeded(6), EmitOptions.DEFAULT, b, 0));
    }

    private static boolean exists(String lab) {
        return Lab.existingNamespaces().stream().anyMatch(n -> n.startsWith(lab + "-"));
    }

    @Test
    void aClientsLabTakesItsPacketsAndGoesWithTheClient() throws Exception {
        Privileged.assumeRoot("labs (network namespaces)");
        Path dir = HelperTesting.openDirectory();
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, new Policy.Builder().build())) {
            String kept;
            try (HelperClient client = HelperClient.connect(helper.path)) {
                HelperException before = assertThrows(HelperException.class, () -> client.send(syn(Lab.CRAFTING_ADDRESS, Lab.TARGET_ADDRESS, 9), 1, 0));
                assertTrue(before.rule().startsWith("allow-prefix="), before.rule());

                HelperException noLab = assertThrows(HelperException.class, () -> HelperClient.capture(helper.path,
                        new HelperClient.CaptureRequest(2_000, 10, 256, true, "", "tcp")));
                assertEquals("lab", noLab.rule());

                HelperClient.LabInfo lab = client.labOpen();
                assertEquals(Lab.TARGET_ADDRESS, lab.targetAddress());
                assertTrue(exists(lab.name()), lab.name());
                try (HelperClient.CaptureStream capture = HelperClient.capture(helper.path,
                        new HelperClient.CaptureRequest(5_000, 10, 256, true, "", "tcp and src host 198.18.0.2"))) {
                    client.send(syn(Lab.CRAFTING_ADDRESS, Lab.TARGET_ADDRESS, 9), 1, 0);
                    HelperClient.CaptureStream.Frame reply = capture.next(3_000);
                    assertNotNull(reply, "the target kernel's answer");
                    dev.rawsock.capture.LinkType type = dev.rawsock.capture.LinkType.fromValue(capture.linkType());
                    dev.rawsock.wire.DecodedPacket p = new dev.rawsock.wire.PacketDecoder().decode(reply.bytes(), 0,
                            reply.bytes().remaining(), reply.originalLength(), type.firstLayer(), new dev.rawsock.wire.DecodedPacket());
                    int tcp = p.offset(dev.rawsock.wire.Layer.TCP);
                    assertEquals(TcpFlags.RST | TcpFlags.ACK, p.buffer().get(tcp + 13) & 0x3F, "RST+ACK from the closed port");
                    assertEquals(40_404, p.buffer().getShort(tcp + 2) & 0xFFFF);
                }
                client.labClose();
                assertFalse(exists(lab.name()), "closed by LAB_CLOSE");
                assertThrows(HelperException.class, () -> client.send(syn(Lab.CRAFTING_ADDRESS, Lab.TARGET_ADDRESS, 9), 1, 0));

                kept = client.labOpen().name();
                assertTrue(exists(kept));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (exists(kept) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(exists(kept), "the lab went with its client's connection");
            assertTrue(helper.audit().contains("LAB_OPEN: ok: " + kept), helper.audit());
        } finally {
            HelperTesting.remove(dir);
        }
    }
}
