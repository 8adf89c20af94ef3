package dev.rawsock.oracle;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scapy (Debian's python3-scapy) as an independent oracle the other way round: it builds packets with
 * deliberate errors, says what each field holds and whether each checksum is right, and we must decode
 * the same bytes to the same values and verdicts.
 */
class ScapyAgreesTest {
    /** Each line: hex, then key=value pairs for what Scapy sees; checksum verdicts from Scapy's own checksum code. */
    private static final String SCRIPT = String.join("\n",
            "from scapy.all import IP, TCP, UDP, ICMP, Raw, raw",
            "from scapy.layers.inet import IPOption",
            "from scapy.utils import checksum",
            "from scapy.layers.inet import in4_chksum",
            "L = dict(src='127.0.0.1', dst='127.0.0.1')",
            "cases = [",
            "  IP(chksum=0x1234, **L)/TCP(sport=0, dport=0, flags='SF', seq=4294967295),",
            "  IP(**L)/TCP(sport=1, dport=2, chksum=0xbeef, reserved=7, flags=0x1ff, urgptr=9),",
            "  IP(tos=0xff, ttl=0, id=0, **L)/TCP(options=[('MSS',1460),('WScale',14),('SAckOK',b''),('Timestamp',(1,2)),(254,b'\\x01\\x02')]),",
            "  IP(ihl=7, options=[IPOption(b'\\x44\\x08\\x05\\x00\\x00\\x00\\x00\\x00')], **L)/UDP(sport=7, dport=8)/b'hello',",
            "  IP(flags='MF', frag=100, **L)/Raw(b'fragment data'),",
            "  IP(flags='evil+DF', **L)/UDP(sport=9, dport=10, len=4)/b'abcdef',",
            "  IP(**L)/TCP(dataofs=15)/Raw(b'x' * 40),",
            "  IP(**L)/ICMP(type=3, code=3)/IP(**L)/UDP(sport=1234, dport=9),",
            "  IP(**L)/ICMP(type=8, id=4321, seq=9, chksum=1)/b'ping',",
            "]",
            "for p in cases:",
            "    b = raw(p)",
            "    ip = IP(b)",
            "    hl = ip.ihl * 4",
            "    out = {'hex': b.hex(), 'version': ip.version, 'ihl': ip.ihl, 'tos': ip.tos, 'len': ip.len, 'id': ip.id,",
            "           'flags': int(ip.flags), 'frag': ip.frag, 'ttl': ip.ttl, 'proto': ip.proto, 'chksum': ip.chksum,",
            "           'src': ip.src, 'dst': ip.dst, 'ip_ok': int(checksum(b[:hl]) == 0)}",
            "    whole = ip.frag == 0 and not (int(ip.flags) & 1) and ip.len == len(b)",
            "    seg = b[hl:ip.len]",
            "    if TCP in ip and ip.frag == 0:",
            "        t = ip[TCP]",
            "        out.update(sport=t.sport, dport=t.dport, seq=t.seq, ack=t.ack, dataofs=t.dataofs, reserved=t.reserved,",
            "                   tflags=int(t.flags), window=t.window, tchksum=t.chksum, urgptr=t.urgptr)",
            "        if whole: out['l4_ok'] = int(in4_chksum(6, ip, seg) == 0)",
            "    elif UDP in ip and ip.frag == 0 and ICMP not in ip:",
            "        u = ip[UDP]",
            "        out.update(sport=u.sport, dport=u.dport, ulen=u.len, uchksum=u.chksum)",
            "    elif ICMP in ip:",
            "        m = ip[ICMP]",
            "        out.update(itype=m.type, icode=m.code, ichksum=m.chksum)",
            "        if whole: out['l4_ok'] = int(checksum(seg) == 0)",
            "    print(' '.join('%s=%s' % kv for kv in out.items()))");

    @Test
    void weDecodeWhatScapyBuilt() throws Exception {
        NativeTools.Result scapy = NativeTools.run(120, List.of("/usr/bin/python3", "-c", SCRIPT));
        assertEquals(0, scapy.exitCode(), "scapy (python3-scapy, installed by 'make deps'):\n" + scapy.stderr());
        List<String> lines = scapy.lines();
        assertEquals(9, lines.size(), scapy.stdout());
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (String line : lines) {
            Map<String, String> want = new LinkedHashMap<>();
            for (String kv : line.split(" ")) {
                want.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            Bytes bytes = Bytes.fromHex(want.get("hex"));
            ByteBuffer b = ByteBuffer.wrap(bytes.toArray());
            decoder.decode(b, 0, bytes.length(), bytes.length(), FirstLayer.IP, p);
            Map<String, String> got = ours(p);
            for (Map.Entry<String, String> e : want.entrySet()) {
                if (e.getKey().equals("hex")) {
                    continue;
                }
                compared++;
                if (!e.getValue().equals(got.get(e.getKey()))) {
                    differences.add(want.get("hex").substring(0, 16) + "... " + e.getKey() + ": scapy " + e.getValue()
                            + ", ours " + got.get(e.getKey()));
                }
            }
        }
        assertTrue(compared > 100, "compared " + compared + " values");
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    private static Map<String, String> ours(DecodedPacket p) {
        ByteBuffer b = p.buffer();
        Map<String, String> v = new LinkedHashMap<>();
        Ipv4View ip = new Ipv4View().wrap(b, p.offset(Layer.IPV4));
        v.put("version", Integer.toString(ip.version()));
        v.put("ihl", Integer.toString(ip.ihl()));
        v.put("tos", Integer.toString(ip.tos()));
        v.put("len", Integer.toString(ip.totalLength()));
        v.put("id", Integer.toString(ip.identification()));
        v.put("flags", Integer.toString((ip.flagReserved() ? 4 : 0) | (ip.dontFragment() ? 2 : 0) | (ip.moreFragments() ? 1 : 0)));
        v.put("frag", Integer.toString(ip.fragmentOffset()));
        v.put("ttl", Integer.toString(ip.ttl()));
        v.put("proto", Integer.toString(ip.protocol()));
        v.put("chksum", Integer.toString(ip.checksum()));
        v.put("src", Ipv4Address.text(ip.source()));
        v.put("dst", Ipv4Address.text(ip.destination()));
        v.put("ip_ok", p.ipv4Checksum() == Verdict.VALID ? "1" : p.ipv4Checksum() == Verdict.INVALID ? "0" : "?");
        v.put("l4_ok", p.transportChecksum() == Verdict.VALID ? "1" : p.transportChecksum() == Verdict.INVALID ? "0" : "?");
        if (p.has(Layer.TCP)) {
            TcpView t = new TcpView().wrap(b, p.offset(Layer.TCP));
            v.put("sport", Integer.toString(t.sourcePort()));
            v.put("dport", Integer.toString(t.destinationPort()));
            v.put("seq", Long.toString(t.sequenceNumber()));
            v.put("ack", Long.toString(t.acknowledgmentNumber()));
            v.put("dataofs", Integer.toString(t.dataOffset()));
            v.put("reserved", Integer.toString(t.reserved()));
            v.put("tflags", Integer.toString(t.flags()));
            v.put("window", Integer.toString(t.window()));
            v.put("tchksum", Integer.toString(t.checksum()));
            v.put("urgptr", Integer.toString(t.urgentPointer()));
        }
        if (p.has(Layer.UDP)) {
            UdpView u = new UdpView().wrap(b, p.offset(Layer.UDP));
            v.put("sport", Integer.toString(u.sourcePort()));
            v.put("dport", Integer.toString(u.destinationPort()));
            v.put("ulen", Integer.toString(u.length()));
            v.put("uchksum", Integer.toString(u.checksum()));
        }
        if (p.has(Layer.ICMP)) {
            IcmpView m = new IcmpView().wrap(b, p.offset(Layer.ICMP));
            v.put("itype", Integer.toString(m.type()));
            v.put("icode", Integer.toString(m.code()));
            v.put("ichksum", Integer.toString(m.checksum()));
        }
        return v;
    }
}
