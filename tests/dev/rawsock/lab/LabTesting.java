package dev.rawsock.lab;

import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpView;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the lab tests share: counting namespaces and veth links with iproute2, and draining a capture. */
final class LabTesting {
    private LabTesting() {}

    /** Every line of {@code ip netns list} (all namespaces, not only ours). */
    static List<String> netnsList() throws Exception {
        NativeTools.Result r = NativeTools.run(10, List.of("ip", "netns", "list"));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.lines().stream().filter(l -> !l.isBlank()).toList();
    }

    /**
     * {@link #netnsList()} without the labs of other live processes (other test runs on a shared machine
     * come and go while a test runs); this process's labs and every foreign namespace stay in.
     */
    static List<String> netnsListOfThisProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        java.util.regex.Pattern lab = java.util.regex.Pattern.compile("rawsock-(\\d+)-.*");
        return netnsList().stream().filter(l -> {
            java.util.regex.Matcher m = lab.matcher(l.split(" ")[0]);
            return !m.matches() || Long.parseLong(m.group(1)) == self
                    || !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false);
        }).toList();
    }

    /** The veth links in the host's namespace ({@code ip -o link show type veth}). */
    static List<String> hostVethLinks() throws Exception {
        NativeTools.Result r = NativeTools.run(10, List.of("ip", "-o", "link", "show", "type", "veth"));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.lines().stream().filter(l -> !l.isBlank()).toList();
    }

    /** One frame seen by an independent capture socket on the crafting side. */
    record Captured(boolean outgoing, boolean checksumNotReady, byte[] frame) {
        int tcpFlags() {
            DecodedPacket p = decode();
            return p.has(Layer.TCP) ? new TcpView().wrap(p.buffer(), p.offset(Layer.TCP)).flags() : -1;
        }

        DecodedPacket decode() {
            return new PacketDecoder().decode(ByteBuffer.wrap(frame), 0, frame.length, frame.length, FirstLayer.ETHERNET, new DecodedPacket());
        }
    }

    /** Reads everything the capture socket holds, waiting at most {@code quietMillis} for each next frame. */
    static List<Captured> drain(PacketSocket capture, int quietMillis) throws Exception {
        NativeBuffer buffer = NativeBuffer.allocate(65_536);
        List<Captured> frames = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = capture.receive(buffer, 0, 65_536, quietMillis);
            if (n < 0) {
                break;
            }
            byte[] frame = new byte[n];
            buffer.buffer().get(0, frame);
            frames.add(new Captured(capture.outgoing(), capture.checksumNotReady(), frame));
        }
        return frames;
    }
}
