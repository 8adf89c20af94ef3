package dev.rawsock.print;

import static dev.rawsock.print.PrintTesting.LOOPBACK;
import static dev.rawsock.print.PrintTesting.LOOPBACK2;
import static dev.rawsock.print.PrintTesting.build;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines: the README's schema is an output contract. A set of packets covering every layer and every
 * TCP option form is printed, then read back by Python's json module (an independent parser), which checks
 * every key of the schema with its type, and flattens the objects so that the values can be compared here
 * with what the packets hold.
 */
class JsonPrinterTest {
    /**
     * The README's schema in Python: for each object, its keys with their types ("int" excludes booleans;
     * "bool?" is true/false/null). Keys marked optional appear "where they apply". Any key not listed is an error.
     */
    private static final String CHECKER = """
            import json, re, sys
            INT, STR, BOOL, NBOOL, LIST, OBJ = 'int', 'str', 'bool', 'bool?', 'list', 'obj'
            ORDER = ['eth', 'arp', 'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'payload']
            LAYERS = {
              'eth': {'src': STR, 'dst': STR, 'type': INT},
              'arp': {'htype': INT, 'ptype': INT, 'hlen': INT, 'plen': INT, 'op': INT, 'sha': STR, 'spa': STR, 'tha': STR, 'tpa': STR},
              'ipv4': {'version': INT, 'ihl': INT, 'dscp': INT, 'ecn': INT, 'total_length': INT, 'id': INT, 'flag_reserved': BOOL,
                       'df': BOOL, 'mf': BOOL, 'fragment_offset': INT, 'ttl': INT, 'protocol': INT, 'checksum': INT,
                       'checksum_valid': NBOOL, 'src': STR, 'dst': STR, 'options': LIST},
              'ipv6': {'version': INT, 'traffic_class': INT, 'flow_label': INT, 'payload_length': INT, 'next_header': INT,
                       'hop_limit': INT, 'src': STR, 'dst': STR},
              'tcp': {'src_port': INT, 'dst_port': INT, 'seq': INT, 'ack': INT, 'data_offset': INT, 'reserved': INT, 'flags': INT,
                      'flag_names': LIST, 'window': INT, 'checksum': INT, 'checksum_valid': NBOOL, 'urgent_pointer': INT,
                      'options': LIST, 'payload_length': INT},
              'udp': {'src_port': INT, 'dst_port': INT, 'length': INT, 'checksum': INT, 'checksum_valid': NBOOL, 'payload_length': INT},
              'icmp': {'type': INT, 'code': INT, 'checksum': INT, 'checksum_valid': NBOOL},
              'icmpv6': {'type': INT, 'code': INT, 'checksum': INT, 'checksum_valid': NBOOL},
              'payload': {'length': INT},
            }
            OPTIONAL = {'icmp': {'id': INT, 'seq': INT, 'mtu': INT, 'gateway': STR, 'inner': OBJ},
                        'icmpv6': {'id': INT, 'seq': INT, 'mtu': INT, 'inner': OBJ},
                        'arp': {}}
            TCP_OPTION_EXTRAS = {0: {}, 1: {}, 2: {'mss': INT}, 3: {'shift': INT}, 4: {}, 5: {'blocks': LIST},
                                 8: {'tsval': INT, 'tsecr': INT}}
            problems = []
            def typed(value, kind):
                if kind == INT: return type(value) is int and value >= 0
                if kind == STR: return type(value) is str
                if kind == BOOL: return type(value) is bool
                if kind == NBOOL: return value is None or type(value) is bool
                if kind == LIST: return type(value) is list
                if kind == OBJ: return type(value) is dict
            def keys(where, obj, required, optional={}):
                for k, kind in required.items():
                    if k not in obj: problems.append(f'{where}: no {k}')
                    elif not typed(obj[k], kind): problems.append(f'{where}.{k}: {obj[k]!r} is not {kind}')
                for k, kind in optional.items():
                    if k in obj and not typed(obj[k], kind): problems.append(f'{where}.{k}: {obj[k]!r} is not {kind}')
                for k in obj:
                    if k not in required and k not in optional: problems.append(f'{where}: unknown key {k}')
            HEX = re.compile('^([0-9a-f]{2})*$')
            MAC = re.compile('^([0-9a-f]{2}:){5}[0-9a-f]{2}$')
            def layers(where, obj, top):
                names = obj.get('layers')
                if type(names) is not list or not all(n in ORDER for n in names):
                    problems.append(f'{where}.layers: {names!r}'); return
                if [ORDER.index(n) for n in names] != sorted(ORDER.index(n) for n in names) or len(set(names)) != len(names):
                    problems.append(f'{where}.layers out of order: {names}')
                present = [k for k in obj if k in ORDER]
                if present != names: problems.append(f'{where}: layer objects {present} but layers {names}')
                top_keys = {'frame': INT, 'caplen': INT, 'len': INT, 'layers': LIST, 'truncated': BOOL} if top else {'layers': LIST}
                keys(where, {k: v for k, v in obj.items() if k not in ORDER}, top_keys, {'error': OBJ} if top else {})
                if 'error' in obj and type(obj['error']) is dict:
                    keys(where + '.error', obj['error'], {'layer': STR, 'offset': INT, 'message': STR})
                for n in names:
                    if n not in obj or type(obj[n]) is not dict: continue
                    layer = obj[n]
                    required = dict(LAYERS[n])
                    if n == 'arp' and not (layer.get('hlen') == 6 and layer.get('plen') == 4):
                        for k in ('sha', 'spa', 'tha', 'tpa'): required.pop(k)
                    keys(f'{where}.{n}', layer, required, OPTIONAL.get(n, {}))
                    if n == 'eth':
                        for k in ('src', 'dst'):
                            if not MAC.match(str(layer.get(k))): problems.append(f'{where}.eth.{k}: {layer.get(k)!r}')
                    if n == 'ipv4':
                        for i, o in enumerate(layer.get('options') or []):
                            keys(f'{where}.ipv4.options.{i}', o, {'type': INT, 'length': INT, 'data': STR})
                            if not HEX.match(str(o.get('data'))): problems.append(f'{where}.ipv4.options.{i}.data is not hex')
                    if n == 'tcp':
                        if not all(type(x) is str for x in layer.get('flag_names') or []): problems.append(f'{where}.tcp.flag_names')
                        for i, o in enumerate(layer.get('options') or []):
                            extras = TCP_OPTION_EXTRAS.get(o.get('kind'), {'data': STR})
                            keys(f'{where}.tcp.options.{i}', o, {'kind': INT, 'name': STR, **extras})
                            if 'data' in extras and not HEX.match(str(o.get('data'))): problems.append(f'{where}.tcp.options.{i}.data is not hex')
                            for b in o.get('blocks', []):
                                if not (type(b) is list and len(b) == 2 and all(type(x) is int for x in b)):
                                    problems.append(f'{where}.tcp.options.{i}.blocks: {b!r}')
                    if 'inner' in layer and type(layer['inner']) is dict:
                        layers(f'{where}.{n}.inner', layer['inner'], False)
            def flatten(prefix, value, out):
                if type(value) is dict:
                    for k, v in value.items(): flatten(f'{prefix}.{k}' if prefix else k, v, out)
                elif type(value) is list:
                    out.append((prefix + '.#', str(len(value))))
                    for i, v in enumerate(value): flatten(f'{prefix}.{i}', v, out)
                else:
                    out.append((prefix, json.dumps(value)))
            text = open(sys.argv[1], encoding='utf-8').read()
            if not text.endswith('\\n'): problems.append('the output does not end with a newline')
            for number, line in enumerate(text.split('\\n')[:-1], 1):
                if not (line.startswith('{') and line.endswith('}')):
                    problems.append(f'line {number} is not exactly one object: {line[:30]!r}...{line[-10:]!r}')
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    problems.append(f'line {number}: {e}'); continue
                if type(obj) is not dict:
                    problems.append(f'line {number} is not an object'); continue
                layers(f'line {number}', obj, True)
                flat = []
                flatten('', obj, flat)
                for path, value in flat: print(f'{number}\\t{path}\\t{value}')
            for p in problems: print('PROBLEM\\t' + p)
            """;

    private static final List<String> WHAT = new ArrayList<>();
    private static final List<DecodedPacket> DECODED = new ArrayList<>();
    private static final List<byte[]> BYTES = new ArrayList<>();
    private static final Map<String, String> VALUES = new HashMap<>();
    private static final List<String> PROBLEMS = new ArrayList<>();

    private static void add(String what, byte[] frame, int captured, int original, FirstLayer first) {
        WHAT.add(what);
        BYTES.add(frame);
        DecodedPacket p = new PacketDecoder().decode(ByteBuffer.wrap(frame), 0, captured, original, first, new DecodedPacket());
        p.frameNumber(WHAT.size());
        DECODED.add(p);
    }

    private static void add(String what, byte[] packet) {
        add(what, packet, packet.length, packet.length, FirstLayer.IPV4);
    }

    private static int frame(String what) {
        int i = WHAT.indexOf(what);
        assertTrue(i >= 0, what);
        return i + 1;
    }

    /** The JSON text of the value at {@code path} in the object of packet {@code what}, as Python read it. */
    private static String v(String what, String path) {
        String value = VALUES.get(frame(what) + ":" + path);
        assertTrue(value != null, () -> "no " + path + " in the JSON of '" + what + "'");
        return value;
    }

    private static boolean has(String what, String path) {
        return VALUES.containsKey(frame(what) + ":" + path);
    }

    private static byte[] bytes(String what) {
        return BYTES.get(frame(what) - 1);
    }

    static final String SYN_OPTIONS = "tcp with mss, wscale, sackOK, ts, nop, eol";
    static final String SACK_OPTIONS = "tcp with sack blocks and an unknown kind";
    static final String UDP_NO_CHECKSUM = "udp with checksum 0";
    static final String UDP_GOOD = "udp";
    static final String UDP_BAD = "udp with a bad checksum";
    static final String PORT_UNREACHABLE = "icmp port unreachable quoting udp";
    static final String FRAG_NEEDED = "icmp fragmentation needed";
    static final String REDIRECT = "icmp redirect";
    static final String ECHO = "icmp echo request";
    static final String FIRST_FRAGMENT = "first fragment";
    static final String LATER_FRAGMENT = "later fragment";
    static final String MALFORMED = "total length larger than the data";
    static final String TRUNCATED = "capture cut inside the tcp header";
    static final String ARP = "arp request over ethernet";
    static final String IPV6_TCP = "tcp over ipv6";
    static final String ICMPV6_ECHO = "icmpv6 echo request";
    static final String PACKET_TOO_BIG = "icmpv6 packet too big quoting tcp";
    static final String IP_OPTIONS = "ipv4 options";

    @BeforeAll
    static void printAndReadBack(@TempDir Path dir) throws Exception {
        add(SYN_OPTIONS, build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(40000).destinationPort(8080)
                .sequence(3000000000L).tcpOptions(Bytes.fromHex("020405b4 030307 0402 080a0000006400000000 01 00"))));
        add(SACK_OPTIONS, build(PacketSpec.tcp().source(LOOPBACK2).destination(LOOPBACK).sourcePort(8080).destinationPort(40000)
                .flags(TcpFlags.ACK | TcpFlags.PSH).sequence(1L).acknowledgment(4294967295L).urgentPointer(9).tcpReserved(2)
                .tcpOptions(Bytes.fromHex("0101 0512 000003e8000007d0 00000bb800000fa0 fd04abcd")).payload(Bytes.of("hello".getBytes()))));
        add(UDP_NO_CHECKSUM, build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2)
                .transportChecksum(0).payload(Bytes.of((byte) 7))));
        add(UDP_GOOD, build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(5353).destinationPort(53)
                .payload(Bytes.of(new byte[] {1, 2, 3}))));
        add(UDP_BAD, build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(3).destinationPort(4).badTransportChecksum(true)));
        byte[] quotedUdp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(40000).destinationPort(53)
                .payload(Bytes.of(new byte[] {9, 9})));
        add(PORT_UNREACHABLE, build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpType(3).icmpCode(3).icmpRestOfHeader(0L)
                .payload(Bytes.of(quotedUdp))));
        add(FRAG_NEEDED, build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpType(3).icmpCode(4).icmpRestOfHeader(1400L)
                .payload(Bytes.of(java.util.Arrays.copyOf(quotedUdp, 28)))));
        add(REDIRECT, build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpType(5).icmpCode(1)
                .icmpRestOfHeader(0xC0000201L).payload(Bytes.of(java.util.Arrays.copyOf(quotedUdp, 28)))));
        add(ECHO, build(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK2).icmpIdentifier(777).icmpSequence(3)
                .payload(Bytes.of("ping".getBytes()))));
        add(FIRST_FRAGMENT, build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(1).destinationPort(2)
                .moreFragments(true).identification(42).payload(Bytes.of(new byte[16]))));
        add(LATER_FRAGMENT, build(PacketSpec.raw().source(LOOPBACK).destination(LOOPBACK2).protocol(6).identification(42)
                .fragmentOffset(185).payload(Bytes.of(new byte[12]))));
        add(MALFORMED, build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(1).destinationPort(2).totalLength(100)));
        byte[] cut = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(1).destinationPort(2));
        add(TRUNCATED, cut, 30, cut.length, FirstLayer.IPV4);
        add(ARP, PrintTesting.arpFrame(1, PrintTesting.MAC_A, "192.0.2.1", 0, "192.0.2.2"), 60, 60, FirstLayer.ETHERNET);
        byte[] v6 = PrintTesting.ipv6("2001:db8::1", "::1", 6,
                PrintTesting.tcpSegment(40000, 8080, 5, 1001, TcpFlags.SYN | TcpFlags.ACK, 100, new byte[3]), true);
        add(IPV6_TCP, v6, v6.length, v6.length, FirstLayer.IP);
        byte[] echo6 = PrintTesting.ipv6("::1", "2001:db8::2", 58, Bytes.fromHex("80000000 1234 0001 6869").toArray(), true);
        add(ICMPV6_ECHO, echo6, echo6.length, echo6.length, FirstLayer.IP);
        byte[] tooBig = new byte[8 + 60]; // the quote: the IPv6 header and the TCP header, without the data
        ByteBuffer.wrap(tooBig).put(0, (byte) 2).putInt(4, 1280);
        System.arraycopy(v6, 0, tooBig, 8, 60);
        byte[] tooBig6 = PrintTesting.ipv6("2001:db8::fe", "2001:db8::1", 58, tooBig, true);
        add(PACKET_TOO_BIG, tooBig6, tooBig6.length, tooBig6.length, FirstLayer.IP);
        add(IP_OPTIONS, build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2)
                .ipOptions(Bytes.fromHex("94040000 07070400000000"))));

        StringWriter text = new StringWriter();
        JsonPrinter printer = new JsonPrinter(text);
        for (DecodedPacket p : DECODED) {
            printer.print(p);
        }
        printer.flush();
        Path file = dir.resolve("packets.jsonl");
        Files.writeString(file, text.toString());
        NativeTools.Result r = NativeTools.run(60, List.of("/usr/bin/python3", "-c", CHECKER, file.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        for (String line : r.lines()) {
            String[] parts = line.split("\t", 3);
            if (parts[0].equals("PROBLEM")) {
                PROBLEMS.add(parts[1]);
            } else {
                VALUES.put(parts[0] + ":" + parts[1], parts[2]);
            }
        }
    }

    @Test
    void everyLineIsOneObjectWithTheSchemasKeysAndTypes() {
        assertTrue(PROBLEMS.isEmpty(), String.join("\n", PROBLEMS));
        for (int i = 0; i < WHAT.size(); i++) {
            String what = WHAT.get(i);
            assertEquals(Integer.toString(i + 1), v(what, "frame"));
            assertEquals(Integer.toString(DECODED.get(i).capturedLength()), v(what, "caplen"));
            assertEquals(Integer.toString(DECODED.get(i).originalLength()), v(what, "len"));
        }
    }

    /** The checker is not a rubber stamp: it rejects lines that break the schema. */
    @Test
    void theCheckerRejectsWhatBreaksTheSchema(@TempDir Path dir) throws Exception {
        String good = "{\"frame\":1,\"caplen\":1,\"len\":1,\"layers\":[\"payload\"],\"payload\":{\"length\":1},\"truncated\":false}";
        String[] bad = {
            " " + good,
            good.replace("\"caplen\":1", "\"caplen\":true"),
            good.replace("\"truncated\":false", "\"truncated\":0"),
            good.replace(",\"truncated\":false", ""),
            good.replace("\"length\":1", "\"length\":1,\"extra\":2"),
            good.replace("[\"payload\"]", "[\"payload\",\"eth\"]"),
            good.replace("{\"length\":1}", "{\"length\":1},\"udp\":{}"),
            good + good,
        };
        for (String line : bad) {
            Path file = dir.resolve("bad.jsonl");
            Files.writeString(file, good + "\n" + line + "\n");
            NativeTools.Result r = NativeTools.run(60, List.of("/usr/bin/python3", "-c", CHECKER, file.toString()));
            assertTrue(r.stdout().contains("PROBLEM\t"), "accepted: " + line + "\n" + r.stdout() + r.stderr());
        }
        Path file = dir.resolve("good.jsonl");
        Files.writeString(file, good + "\n" + good + "\n");
        NativeTools.Result r = NativeTools.run(60, List.of("/usr/bin/python3", "-c", CHECKER, file.toString()));
        assertTrue(r.exitCode() == 0 && !r.stdout().contains("PROBLEM"), r.stdout() + r.stderr());
    }

    @Test
    void tcpOptionsOfEveryForm() {
        assertEquals("[\"ipv4\", \"tcp\"]".replace(" ", ""), layersOf(SYN_OPTIONS));
        assertEquals("6", v(SYN_OPTIONS, "tcp.options.#"));
        assertEquals(List.of("2", "3", "4", "8", "1", "0"), list(SYN_OPTIONS, "tcp.options", "kind"));
        assertEquals(List.of("\"mss\"", "\"wscale\"", "\"sackOK\"", "\"ts\"", "\"nop\"", "\"eol\""), list(SYN_OPTIONS, "tcp.options", "name"));
        assertEquals("1460", v(SYN_OPTIONS, "tcp.options.0.mss"));
        assertEquals("7", v(SYN_OPTIONS, "tcp.options.1.shift"));
        assertEquals("100", v(SYN_OPTIONS, "tcp.options.3.tsval"));
        assertEquals("0", v(SYN_OPTIONS, "tcp.options.3.tsecr"));
        assertEquals("3000000000", v(SYN_OPTIONS, "tcp.seq"), "unsigned, above 2^31");
        assertEquals("11", v(SYN_OPTIONS, "tcp.data_offset"));
        assertEquals("2", v(SYN_OPTIONS, "tcp.flags"));
        assertEquals("[\"SYN\"]", "[" + String.join(",", list(SYN_OPTIONS, "tcp.flag_names", null)) + "]");
        TcpView t = new TcpView().wrap(ByteBuffer.wrap(bytes(SYN_OPTIONS)), 20);
        assertEquals(Integer.toString(t.checksum()), v(SYN_OPTIONS, "tcp.checksum"));
        assertEquals("true", v(SYN_OPTIONS, "tcp.checksum_valid"));
        assertEquals("0", v(SYN_OPTIONS, "tcp.payload_length"));

        assertEquals(List.of("1", "1", "5", "253"), list(SACK_OPTIONS, "tcp.options", "kind"));
        assertEquals("\"sack\"", v(SACK_OPTIONS, "tcp.options.2.name"));
        assertEquals("2", v(SACK_OPTIONS, "tcp.options.2.blocks.#"));
        assertEquals(List.of("1000", "2000", "3000", "4000"), List.of(v(SACK_OPTIONS, "tcp.options.2.blocks.0.0"),
                v(SACK_OPTIONS, "tcp.options.2.blocks.0.1"), v(SACK_OPTIONS, "tcp.options.2.blocks.1.0"), v(SACK_OPTIONS, "tcp.options.2.blocks.1.1")));
        assertEquals("\"opt-253\"", v(SACK_OPTIONS, "tcp.options.3.name"));
        assertEquals("\"abcd\"", v(SACK_OPTIONS, "tcp.options.3.data"));
        assertEquals("4294967295", v(SACK_OPTIONS, "tcp.ack"));
        assertEquals("9", v(SACK_OPTIONS, "tcp.urgent_pointer"));
        assertEquals("2", v(SACK_OPTIONS, "tcp.reserved"));
        assertEquals(List.of("\"PSH\"", "\"ACK\""), list(SACK_OPTIONS, "tcp.flag_names", null));
        assertEquals("5", v(SACK_OPTIONS, "tcp.payload_length"));
        assertEquals("5", v(SACK_OPTIONS, "payload.length"));
        assertEquals("[\"ipv4\",\"tcp\",\"payload\"]", layersOf(SACK_OPTIONS));
    }

    @Test
    void udpChecksumVerdicts() {
        assertEquals("0", v(UDP_NO_CHECKSUM, "udp.checksum"));
        assertEquals("null", v(UDP_NO_CHECKSUM, "udp.checksum_valid"), "0 means not computed: not judged");
        assertEquals("true", v(UDP_GOOD, "udp.checksum_valid"));
        assertEquals(Integer.toString(new UdpView().wrap(ByteBuffer.wrap(bytes(UDP_GOOD)), 20).checksum()), v(UDP_GOOD, "udp.checksum"));
        assertEquals("false", v(UDP_BAD, "udp.checksum_valid"));
        assertEquals("11", v(UDP_GOOD, "udp.length"));
        assertEquals("3", v(UDP_GOOD, "udp.payload_length"));
        assertEquals("5353", v(UDP_GOOD, "udp.src_port"));
        assertEquals("53", v(UDP_GOOD, "udp.dst_port"));
    }

    @Test
    void icmpMessagesAndTheQuotedPacket() {
        assertEquals("[\"ipv4\",\"icmp\"]", layersOf(PORT_UNREACHABLE));
        assertEquals("3", v(PORT_UNREACHABLE, "icmp.type"));
        assertEquals("3", v(PORT_UNREACHABLE, "icmp.code"));
        assertEquals("true", v(PORT_UNREACHABLE, "icmp.checksum_valid"));
        assertEquals(Integer.toString(new IcmpView().wrap(ByteBuffer.wrap(bytes(PORT_UNREACHABLE)), 20).checksum()),
                v(PORT_UNREACHABLE, "icmp.checksum"));
        assertEquals("[\"ipv4\",\"udp\",\"payload\"]", layersAt(PORT_UNREACHABLE, "icmp.inner.layers"));
        assertEquals("\"127.0.0.1\"", v(PORT_UNREACHABLE, "icmp.inner.ipv4.src"));
        assertEquals("\"127.0.0.2\"", v(PORT_UNREACHABLE, "icmp.inner.ipv4.dst"));
        assertEquals("\"127.0.0.2\"", v(PORT_UNREACHABLE, "ipv4.src"));
        assertEquals("40000", v(PORT_UNREACHABLE, "icmp.inner.udp.src_port"));
        assertEquals("53", v(PORT_UNREACHABLE, "icmp.inner.udp.dst_port"));
        assertEquals("2", v(PORT_UNREACHABLE, "icmp.inner.udp.payload_length"));
        assertEquals("null", v(PORT_UNREACHABLE, "icmp.inner.udp.checksum_valid"), "a quote is not judged");
        assertTrue(!has(PORT_UNREACHABLE, "icmp.id") && !has(PORT_UNREACHABLE, "icmp.mtu"));

        assertEquals("1400", v(FRAG_NEEDED, "icmp.mtu"));
        assertEquals("[\"ipv4\",\"udp\"]", layersAt(FRAG_NEEDED, "icmp.inner.layers"), "RFC 792's quote: the header and 8 bytes");
        assertEquals("\"192.0.2.1\"", v(REDIRECT, "icmp.gateway"));
        assertEquals("777", v(ECHO, "icmp.id"));
        assertEquals("3", v(ECHO, "icmp.seq"));
        assertEquals("4", v(ECHO, "payload.length"));
        assertTrue(!has(ECHO, "icmp.inner"));
    }

    @Test
    void fragmentsAreNotJudged() {
        assertEquals("true", v(FIRST_FRAGMENT, "ipv4.mf"));
        assertEquals("null", v(FIRST_FRAGMENT, "tcp.checksum_valid"), "the segment continues in the next fragment");
        assertEquals("true", v(FIRST_FRAGMENT, "ipv4.checksum_valid"));
        assertEquals("[\"ipv4\",\"payload\"]", layersOf(LATER_FRAGMENT));
        assertEquals("185", v(LATER_FRAGMENT, "ipv4.fragment_offset"), "in 8-byte units");
        assertEquals("12", v(LATER_FRAGMENT, "payload.length"));
        assertEquals("false", v(LATER_FRAGMENT, "ipv4.mf"));
    }

    @Test
    void malformedAndTruncated() {
        DecodedPacket p = DECODED.get(frame(MALFORMED) - 1);
        assertEquals("\"ipv4\"", v(MALFORMED, "error.layer"));
        assertEquals("2", v(MALFORMED, "error.offset"));
        assertEquals("\"" + p.errorMessage() + "\"", v(MALFORMED, "error.message"));
        assertEquals("\"total length 100 is larger than the data (40 bytes)\"", v(MALFORMED, "error.message"));
        assertEquals("false", v(MALFORMED, "truncated"));
        assertEquals("100", v(MALFORMED, "ipv4.total_length"));

        assertEquals("true", v(TRUNCATED, "truncated"));
        assertEquals("30", v(TRUNCATED, "caplen"));
        assertEquals("40", v(TRUNCATED, "len"));
        assertTrue(!has(TRUNCATED, "error"), "truncated is not malformed");
        assertEquals("[\"ipv4\"]", layersOf(TRUNCATED));
        for (String what : WHAT) {
            if (!what.equals(MALFORMED)) {
                assertTrue(!has(what, "error.layer"), what + " has an error");
            }
            if (!what.equals(TRUNCATED)) {
                assertEquals("false", v(what, "truncated"), what);
            }
        }
    }

    @Test
    void ethernetArpAndIpv6() {
        assertEquals("[\"eth\",\"arp\"]", layersOf(ARP));
        assertEquals("\"ff:ff:ff:ff:ff:ff\"", v(ARP, "eth.dst"));
        assertEquals("\"02:00:00:00:00:0a\"", v(ARP, "eth.src"));
        assertEquals("2054", v(ARP, "eth.type"));
        assertEquals(List.of("1", "2048", "6", "4", "1"), List.of(v(ARP, "arp.htype"), v(ARP, "arp.ptype"), v(ARP, "arp.hlen"),
                v(ARP, "arp.plen"), v(ARP, "arp.op")));
        assertEquals("\"192.0.2.1\"", v(ARP, "arp.spa"));
        assertEquals("\"192.0.2.2\"", v(ARP, "arp.tpa"));
        assertEquals("\"02:00:00:00:00:0a\"", v(ARP, "arp.sha"));
        assertEquals("\"00:00:00:00:00:00\"", v(ARP, "arp.tha"));

        assertEquals("[\"ipv6\",\"tcp\",\"payload\"]", layersOf(IPV6_TCP));
        assertEquals("\"2001:db8::1\"", v(IPV6_TCP, "ipv6.src"));
        assertEquals("\"::1\"", v(IPV6_TCP, "ipv6.dst"));
        assertEquals("74565", v(IPV6_TCP, "ipv6.flow_label"));
        assertEquals("23", v(IPV6_TCP, "ipv6.payload_length"));
        assertEquals("6", v(IPV6_TCP, "ipv6.next_header"));
        assertEquals("64", v(IPV6_TCP, "ipv6.hop_limit"));
        assertEquals("true", v(IPV6_TCP, "tcp.checksum_valid"));
        assertEquals("1001", v(IPV6_TCP, "tcp.ack"));

        assertEquals("[\"ipv6\",\"icmpv6\",\"payload\"]", layersOf(ICMPV6_ECHO));
        assertEquals("4660", v(ICMPV6_ECHO, "icmpv6.id"));
        assertEquals("1", v(ICMPV6_ECHO, "icmpv6.seq"));
        assertEquals("true", v(ICMPV6_ECHO, "icmpv6.checksum_valid"));
        assertEquals("1280", v(PACKET_TOO_BIG, "icmpv6.mtu"));
        assertEquals("[\"ipv6\",\"tcp\"]", layersAt(PACKET_TOO_BIG, "icmpv6.inner.layers"));
        assertEquals("40000", v(PACKET_TOO_BIG, "icmpv6.inner.tcp.src_port"));
    }

    @Test
    void ipv4FieldsAndOptions() {
        Ipv4View ip = new Ipv4View().wrap(ByteBuffer.wrap(bytes(IP_OPTIONS)), 0);
        assertEquals("8", v(IP_OPTIONS, "ipv4.ihl"), "in 32-bit words");
        assertEquals(Integer.toString(ip.identification()), v(IP_OPTIONS, "ipv4.id"));
        assertEquals(Integer.toString(ip.checksum()), v(IP_OPTIONS, "ipv4.checksum"));
        assertEquals("true", v(IP_OPTIONS, "ipv4.checksum_valid"));
        assertEquals("3", v(IP_OPTIONS, "ipv4.options.#"), "ra, rr, and the eol that pads 11 bytes to 12");
        assertEquals(List.of("148", "7", "0"), list(IP_OPTIONS, "ipv4.options", "type"));
        assertEquals(List.of("4", "7", "1"), list(IP_OPTIONS, "ipv4.options", "length"));
        assertEquals(List.of("\"0000\"", "\"0400000000\"", "\"\""), list(IP_OPTIONS, "ipv4.options", "data"));
        assertEquals("0", v(UDP_GOOD, "ipv4.options.#"));
        assertEquals("17", v(UDP_GOOD, "ipv4.protocol"));
        assertEquals("64", v(UDP_GOOD, "ipv4.ttl"));
        assertEquals("false", v(UDP_GOOD, "ipv4.df"));
        assertEquals("false", v(UDP_GOOD, "ipv4.flag_reserved"));
        assertEquals("4", v(UDP_GOOD, "ipv4.version"));
    }

    private static String layersOf(String what) {
        return layersAt(what, "layers");
    }

    private static String layersAt(String what, String path) {
        return "[" + String.join(",", list(what, path, null)) + "]";
    }

    /** The values of {@code path.N.key} (or {@code path.N} when key is null) for N = 0 .. count - 1. */
    private static List<String> list(String what, String path, String key) {
        int n = Integer.parseInt(v(what, path + ".#"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(v(what, path + "." + i + (key != null ? "." + key : "")));
        }
        return out;
    }
}
