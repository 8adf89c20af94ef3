package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Interfaces;
import dev.rawsock.socket.NetworkNamespace;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.MacAddress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private place where crafted TCP talks to a real kernel without the kernel's RST: network namespaces
 * that rawsock creates, wires and removes itself, joined in a line by veth pairs.
 *
 * <p>The default ({@link Topology#direct()}, what {@code rawsock handshake} uses) is two namespaces:
 * <pre>
 *   rawsock-PID-N-c (crafting side)                    rawsock-PID-N-t (target side)
 *   veth-craft 02:72:73:00:00:01  &lt;==== veth ====&gt;  veth-target 02:72:73:00:00:02
 *   no IP address: its kernel owns no                  198.18.0.2/24, lo up, tx checksum offload off,
 *   connection, so it never answers with RST;          neighbour 198.18.0.1 = 02:72:73:00:00:01 (permanent:
 *   rawsock sends and reads whole Ethernet frames      no ARP), real kernel TCP listeners ({@link LabTarget})
 *   there as 198.18.0.1 (a packet socket)
 * </pre>
 *
 * When crafted TCP talks to the local kernel, the kernel answers the SYN-ACK with a RST because no socket
 * of its own owns that connection. Here the crafting side's kernel has no address at all, so it owns
 * nothing and stays silent, while the target's kernel sees an ordinary peer at 198.18.0.1.
 *
 * <p>Other shapes ({@link Topology}): the crafting side may own 198.18.0.1 itself (kernel sockets on both
 * ends, for {@code rawsock segments}), and namespaces acting as routers may stand in between
 * ({@code rawsock traceroute}, {@code rawsock scan}). The address plan is the same for every shape: link
 * {@code k} (counted from the crafting side, from 0) is 198.18.k.0/24, its end nearer the crafting side
 * is 198.18.k.1 and its far end 198.18.k.2; MACs are 02:72:73:00:kk:01 and :02. So the direct lab is
 * 198.18.0.1 and 198.18.0.2 as before, and with two routers:
 * <pre>
 *   -c  veth-craft 198.18.0.1 == veth-in 198.18.0.2  -r1  veth-out 198.18.1.1 == veth-in 198.18.1.2  -r2
 *       veth-out 198.18.2.1 == veth-target 198.18.2.2  -t
 * </pre>
 * Routers forward (net.ipv4.ip_forward=1, written to /proc/sys from a thread inside each router's
 * namespace: sysctls under /proc/sys/net belong to the namespace of the thread that opens them) and have
 * static routes to the subnets beyond each neighbour; the ends route 198.18.0.0/15 to their one neighbour.
 * ICMP rate limiting (net.ipv4.icmp_ratelimit) is switched off inside every namespace that has an
 * address, so every TTL-expired probe gets its time exceeded and every closed UDP port its unreachable.
 *
 * <p>Set-up uses the {@code ip} command (iproute2) as bounded subprocesses whose output goes into error
 * messages; sockets inside a namespace are opened from Java with setns(2) on a dedicated thread
 * ({@link #inCrafting}, {@link #inTarget}, {@link #inNamespace}), never through a subprocess. The host's
 * own network configuration is not touched: every veth end is created inside the namespaces.
 *
 * <p>Removal: {@link #close()} (idempotent), a shutdown hook (Ctrl-C), and for a process that was killed,
 * the next {@link #create()}: namespaces are named {@code rawsock-PID-N-c} / {@code -rJ} / {@code -t}
 * after the process that made them, and those whose process is gone are deleted ({@link #removeStale()}).
 * Deleting a namespace deletes its veth ends, and the peer ends with them. Safety: only 198.18.0.0/15 is
 * used inside.
 */
public final class Lab implements AutoCloseable {
    /** Every lab namespace starts with this. */
    public static final String PREFIX = "rawsock-";
    /** 198.18.0.1: the crafting side's address (owned by no kernel in the direct lab: rawsock speaks as it). */
    public static final int CRAFTING_ADDRESS = 0xC612_0001;
    /** 198.18.0.2: the target side's address in the direct lab, on veth-target. */
    public static final int TARGET_ADDRESS = 0xC612_0002;
    public static final int PREFIX_LENGTH = 24;
    /** 198.18.0.0/15, the range set aside for network testing (RFC 2544): every lab address is inside it. */
    public static final int TEST_NETWORK = 0xC612_0000;
    public static final int TEST_NETWORK_MASK = 0xFFFE_0000;
    /** Locally administered MACs (the 0x02 bit), the same in every lab: each lab's link is private. */
    public static final long CRAFTING_MAC = 0x0272_7300_0001L;
    public static final long TARGET_MAC = 0x0272_7300_0002L;
    public static final String CRAFTING_INTERFACE = "veth-craft";
    public static final String TARGET_INTERFACE = "veth-target";
    /** A router's interfaces: toward the crafting side, and toward the target. */
    public static final String ROUTER_IN_INTERFACE = "veth-in";
    public static final String ROUTER_OUT_INTERFACE = "veth-out";

    private static final Pattern NAME = Pattern.compile("rawsock-(\\d+)-(\\d+)-(c|t|r\\d+)");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration NAMESPACE_CALL_TIMEOUT = Duration.ofSeconds(10);

    // Capability bits (linux/capability.h) in /proc/self/status CapEff.
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * The shape of a lab: how many router namespaces stand between the crafting side and the target
     * (0-8), and whether the crafting side's kernel owns 198.18.0.1 (always, when there are routers: the
     * crafting side's kernel then routes what is sent and receives what comes back).
     */
    public record Topology(int routers, boolean craftingAddress) {
        public static final int MAX_ROUTERS = 8;

        public Topology {
            if (routers < 0 || routers > MAX_ROUTERS) {
                throw new IllegalArgumentException("a lab has 0-" + MAX_ROUTERS + " routers, not " + routers);
            }
            craftingAddress |= routers > 0;
        }

        /** Two namespaces, one veth pair; the crafting side owns no address (the handshake lab). */
        public static Topology direct() {
            return new Topology(0, false);
        }

        /** Two namespaces, both with kernel addresses: 198.18.0.1 and 198.18.0.2. */
        public static Topology directWithAddresses() {
            return new Topology(0, true);
        }

        /** The crafting side (198.18.0.1), {@code routers} routers, then the target. */
        public static Topology routed(int routers) {
            return new Topology(routers, true);
        }

        /** Links (veth pairs) in the line: one more than the routers. */
        public int links() {
            return routers + 1;
        }
    }

    private final String name;
    private final Topology topology;
    private final List<String> namespaces;
    private final String craftingNamespace;
    private final String targetNamespace;
    private final List<String> removedStale;
    private final List<String> setup = Collections.synchronizedList(new ArrayList<>());
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<String> createdNamespaces = new ArrayList<>();
    private final Thread shutdownHook;
    private int craftingInterfaceIndex;
    private boolean transmitChecksumOffloadOff;
    private boolean closed;

    private Lab(String name, Topology topology, List<String> removedStale) {
        this.name = name;
        this.topology = topology;
        List<String> all = new ArrayList<>();
        all.add(name + "-c");
        for (int j = 1; j <= topology.routers(); j++) {
            all.add(name + "-r" + j);
        }
        all.add(name + "-t");
        this.namespaces = List.copyOf(all);
        this.craftingNamespace = all.get(0);
        this.targetNamespace = all.get(all.size() - 1);
        this.removedStale = List.copyOf(removedStale);
        this.shutdownHook = new Thread(this::closeQuietly, "rawsock-lab-cleanup-" + name);
    }

    /** Builds the direct lab ({@link Topology#direct()}): see {@link #create(Topology)}. */
    public static Lab create() throws LabException {
        return create(Topology.direct());
    }

    /**
     * Builds a lab: removes stale labs of dead processes first, then creates the namespaces and the veth
     * pairs, addresses, routes, forwarding in the routers, the permanent neighbour entry (direct lab), and
     * switches off transmit checksum offload on every veth end. On any failure everything made so far is
     * removed before the exception is thrown.
     */
    public static Lab create(Topology topology) throws LabException {
        checkPrivileges();
        List<String> stale = removeStale();
        String name = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        Lab lab = new Lab(name, topology, stale);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
        } catch (LabException | RuntimeException | Error e) {
            lab.closeQuietly();
            throw e;
        }
        return lab;
    }

    private void build() throws LabException {
        for (String ns : namespaces) {
            ip("netns", "add", ns);
            createdNamespaces.add(ns);
        }
        int links = topology.links();
        for (int k = 0; k < links; k++) {
            String left = namespaces.get(k);
            String right = namespaces.get(k + 1);
            // Both ends are created inside the namespaces: nothing appears in the host's, even for a moment.
            ip("-n", left, "link", "add", leftInterface(k), "address", MacAddress.text(linkMac(k, 1)),
                    "type", "veth", "peer", "name", rightInterface(k), "address", MacAddress.text(linkMac(k, 2)), "netns", right);
            // No IPv6 link-local addresses: no kernel then sends router or neighbour solicitations on the link.
            ipTolerant("-n", left, "link", "set", "dev", leftInterface(k), "addrgenmode", "none");
            ipTolerant("-n", right, "link", "set", "dev", rightInterface(k), "addrgenmode", "none");
        }
        for (int i = 0; i < namespaces.size(); i++) {
            if (i > 0 || topology.craftingAddress()) {
                ip("-n", namespaces.get(i), "link", "set", "dev", "lo", "up");
            }
        }
        for (int k = 0; k < links; k++) {
            if (k > 0 || topology.craftingAddress()) {
                ip("-n", namespaces.get(k), "address", "add", Ipv4Address.text(linkAddress(k, 1)) + "/" + PREFIX_LENGTH,
                        "dev", leftInterface(k));
            }
            ip("-n", namespaces.get(k + 1), "address", "add", Ipv4Address.text(linkAddress(k, 2)) + "/" + PREFIX_LENGTH,
                    "dev", rightInterface(k));
            ip("-n", namespaces.get(k), "link", "set", "dev", leftInterface(k), "up");
            ip("-n", namespaces.get(k + 1), "link", "set", "dev", rightInterface(k), "up");
        }
        routes();
        if (topology.routers() == 0) {
            // The target reaches 198.18.0.1 without ARP: in the direct lab nobody on the crafting side would answer it.
            ip("-n", targetNamespace, "neigh", "replace", Ipv4Address.text(CRAFTING_ADDRESS), "lladdr",
                    MacAddress.text(CRAFTING_MAC), "dev", TARGET_INTERFACE, "nud", "permanent");
        }
        for (int i = 0; i < namespaces.size(); i++) {
            boolean router = i > 0 && i < namespaces.size() - 1;
            if (router) {
                sysctl(namespaces.get(i), "net/ipv4/ip_forward", "1");
            }
            if (i > 0 || topology.craftingAddress()) {
                // Every time exceeded and every unreachable sent, not one a second per peer (icmp(7)).
                sysctl(namespaces.get(i), "net/ipv4/icmp_ratelimit", "0");
            }
        }
        // veth finishes no checksum itself: with offload on, a kernel's segments would cross the link with their
        // TCP checksum unfinished (TP_STATUS_CSUMNOTREADY), and with TSO as one 64 KiB super-frame. Off, every
        // frame is one complete segment.
        boolean allOff = true;
        for (int k = 0; k < links; k++) {
            allOff &= checksumOffloadOff(namespaces.get(k), leftInterface(k));
            allOff &= checksumOffloadOff(namespaces.get(k + 1), rightInterface(k));
        }
        transmitChecksumOffloadOff = allOff;
        craftingInterfaceIndex = inCrafting(() -> PacketSocket.interfaceIndex(CRAFTING_INTERFACE));
    }

    /** Static routes: each end to its one neighbour, each router to the subnets beyond each neighbour. */
    private void routes() throws LabException {
        int routers = topology.routers();
        if (routers == 0) {
            return;
        }
        String everything = Ipv4Address.text(TEST_NETWORK) + "/15";
        ip("-n", craftingNamespace, "route", "add", everything, "via", Ipv4Address.text(linkAddress(0, 2)));
        for (int j = 1; j <= routers; j++) {
            String ns = namespaces.get(j);
            // Router j sits between link j-1 (toward the crafting side) and link j (toward the target).
            for (int k = j + 1; k < topology.links(); k++) {
                ip("-n", ns, "route", "add", subnet(k), "via", Ipv4Address.text(linkAddress(j, 2)));
            }
            for (int k = 0; k < j - 1; k++) {
                ip("-n", ns, "route", "add", subnet(k), "via", Ipv4Address.text(linkAddress(j - 1, 1)));
            }
        }
        ip("-n", targetNamespace, "route", "add", everything, "via", Ipv4Address.text(linkAddress(routers, 1)));
    }

    private boolean checksumOffloadOff(String namespace, String device) throws LabException {
        boolean off = callIn(namespace, () -> {
            try {
                Interfaces.setTransmitChecksumOffload(device, false);
                return !Interfaces.transmitChecksumOffload(device);
            } catch (ErrnoException e) {
                setup.add("# ethtool ioctl failed on " + device + " in " + namespace + " (" + e.getMessage()
                        + "): unfinished checksums are recognised from PACKET_AUXDATA instead");
                return false;
            }
        });
        setup.add("ioctl(SIOCETHTOOL, ETHTOOL_STXCSUM, 0) on " + device + " in " + namespace
                + " (ethtool -K " + device + " tx off)" + (off ? "" : ": not supported"));
        return off;
    }

    /**
     * Writes {@code value} to /proc/sys/{@code key} from a thread inside {@code namespace} (sysctl -w inside
     * it, without a subprocess) and reads it back.
     */
    private void sysctl(String namespace, String key, String value) throws LabException {
        String read = callIn(namespace, () -> {
            Path file = Path.of("/proc/sys", key);
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        });
        setup.add("echo " + value + " > /proc/sys/" + key + " in " + namespace + " (sysctl -w " + key.replace('/', '.') + "=" + value + ")");
        if (!read.equals(value)) {
            throw new LabException("building lab " + name + ": /proc/sys/" + key + " in " + namespace + " reads " + read
                    + " after writing " + value);
        }
    }

    // ---- a firewall in a router ----

    /** What a router does with the TCP segments a {@link #filterTcp} rule matches. */
    public enum Filter {
        /** Dropped in silence (a blackhole rule): the sender hears nothing. */
        DROP("blackhole"),
        /** Refused: the router answers with ICMP destination unreachable, communication administratively prohibited (type 3, code 13). */
        REJECT("prohibit");

        final String action;

        Filter(String action) {
            this.action = action;
        }
    }

    /**
     * Makes router {@code j} drop or refuse TCP segments to {@code destination}:{@code port} that it would
     * forward, with a policy routing rule ({@code ip rule add pref 100 to DST ipproto tcp dport PORT
     * blackhole|prohibit}): no firewall tool needed, only iproute2. Segments to the router's own addresses
     * are not affected (the local table's rule comes first).
     */
    public void filterTcp(int j, int destination, int port, Filter filter) throws LabException {
        ip("-n", routerNamespace(j), "rule", "add", "pref", "100", "to", Ipv4Address.text(destination), "ipproto", "tcp",
                "dport", Integer.toString(port), filter.action);
    }

    // ---- the address plan ----

    /** 198.18.{@code link}.{@code host}: the address of one end of link {@code link} (host 1: nearer the crafting side). */
    public static int linkAddress(int link, int host) {
        return TEST_NETWORK | (link << 8) | host;
    }

    /** 02:72:73:00:{@code link}:0{@code host}. */
    public static long linkMac(int link, int host) {
        return 0x0272_7300_0000L | ((long) link << 8) | host;
    }

    private static String subnet(int link) {
        return Ipv4Address.text(linkAddress(link, 0)) + "/" + PREFIX_LENGTH;
    }

    /** The interface at the crafting-side end of link {@code k}. */
    public String leftInterface(int k) {
        return k == 0 ? CRAFTING_INTERFACE : ROUTER_OUT_INTERFACE;
    }

    /** The interface at the target-side end of link {@code k}. */
    public String rightInterface(int k) {
        return k == topology.links() - 1 ? TARGET_INTERFACE : ROUTER_IN_INTERFACE;
    }

    /** True when {@code address} is inside 198.18.0.0/15. */
    public static boolean inTestNetwork(int address) {
        return (address & TEST_NETWORK_MASK) == TEST_NETWORK;
    }

    // ---- identity ----

    /** {@code rawsock-PID-N}: the namespaces are this plus "-c", "-r1".. and "-t". */
    public String name() {
        return name;
    }

    public Topology topology() {
        return topology;
    }

    /** Every namespace of the lab, from the crafting side to the target. */
    public List<String> namespaces() {
        return namespaces;
    }

    /** Router {@code j}'s namespace, 1 (next to the crafting side) to {@code topology().routers()}. */
    public String routerNamespace(int j) {
        if (j < 1 || j > topology.routers()) {
            throw new IllegalArgumentException("this lab has routers 1-" + topology.routers() + ", not " + j);
        }
        return namespaces.get(j);
    }

    /** The target's address: 198.18.0.2 in the direct lab, 198.18.R.2 behind R routers. */
    public int targetAddress() {
        return linkAddress(topology.routers(), 2);
    }

    /** 198.18.0.1: the crafting side's address (its kernel owns it only when {@code topology().craftingAddress()}). */
    public int craftingAddress() {
        return CRAFTING_ADDRESS;
    }

    /**
     * The hops from the crafting side to the target, as a traceroute sees them: each router's address on
     * the link it receives from (the source of its ICMP time exceeded), then the target's.
     */
    public List<Integer> hopAddresses() {
        List<Integer> hops = new ArrayList<>();
        for (int j = 1; j <= topology.routers(); j++) {
            hops.add(linkAddress(j - 1, 2));
        }
        hops.add(targetAddress());
        return List.copyOf(hops);
    }

    /** Which namespace owns {@code address} in this lab (an index into {@link #namespaces()}), or -1. */
    public int ownerOf(int address) {
        if ((address >>> 16) != 0xC612 || ((address >>> 8) & 0xFF) >= topology.links()) {
            return -1;
        }
        int link = (address >>> 8) & 0xFF;
        int host = address & 0xFF;
        if (host == 1) {
            return link == 0 && !topology.craftingAddress() ? -1 : link;
        }
        return host == 2 ? link + 1 : -1;
    }

    /** Every address a kernel owns in this lab, in path order, with the namespace that owns it. */
    public java.util.Map<Integer, String> addresses() {
        java.util.Map<Integer, String> all = new java.util.LinkedHashMap<>();
        for (int k = 0; k < topology.links(); k++) {
            if (k > 0 || topology.craftingAddress()) {
                all.put(linkAddress(k, 1), namespaces.get(k));
            }
            all.put(linkAddress(k, 2), namespaces.get(k + 1));
        }
        return all;
    }

    /** What a namespace is for: "crafting side", "router 1", ..., "target". */
    public String role(String namespace) {
        int i = namespaces.indexOf(namespace);
        if (i == 0) {
            return "crafting side";
        }
        if (i == namespaces.size() - 1) {
            return "target";
        }
        return i > 0 ? "router " + i : "not in this lab";
    }

    /**
     * The lab as lines of text: one per namespace with its interfaces and addresses, then what routes and
     * forwards. For the commands' opening description.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < namespaces.size(); i++) {
            StringBuilder line = new StringBuilder();
            line.append(namespaces.get(i)).append(" (").append(role(namespaces.get(i))).append("):");
            if (i > 0) {
                line.append(' ').append(rightInterface(i - 1)).append(' ').append(Ipv4Address.text(linkAddress(i - 1, 2)))
                        .append('/').append(PREFIX_LENGTH);
            }
            if (i < topology.links()) {
                line.append(i > 0 ? "," : "").append(' ').append(leftInterface(i)).append(' ');
                line.append(i > 0 || topology.craftingAddress()
                        ? Ipv4Address.text(linkAddress(i, 1)) + "/" + PREFIX_LENGTH : "(no address)");
            }
            if (i > 0 && i < namespaces.size() - 1) {
                line.append("; ip_forward=1");
            }
            lines.add(line.toString());
        }
        return lines;
    }

    public String craftingNamespace() {
        return craftingNamespace;
    }

    public String targetNamespace() {
        return targetNamespace;
    }

    /** The index of veth-craft inside the crafting namespace (for binding packet sockets there). */
    public int craftingInterfaceIndex() {
        return craftingInterfaceIndex;
    }

    /** True when the target's veth finishes every checksum itself (tx offload switched off). */
    public boolean transmitChecksumOffloadOff() {
        return transmitChecksumOffloadOff;
    }

    /** The commands and calls that built this lab, in order. */
    public List<String> setupLog() {
        synchronized (setup) {
            return List.copyOf(setup);
        }
    }

    /** Namespaces of dead processes' labs that {@link #create()} removed before building this one. */
    public List<String> removedStale() {
        return removedStale;
    }

    // ---- running code inside ----

    /** A piece of code run inside a namespace, on a thread dedicated to it. */
    @FunctionalInterface
    public interface NamespaceCall<T> {
        T call() throws Exception;
    }

    /** Runs {@code body} on a fresh thread inside the crafting namespace and returns its result. */
    public <T> T inCrafting(NamespaceCall<T> body) throws LabException {
        return callIn(craftingNamespace, body);
    }

    /** Runs {@code body} on a fresh thread inside the target namespace and returns its result. */
    public <T> T inTarget(NamespaceCall<T> body) throws LabException {
        return callIn(targetNamespace, body);
    }

    /** Runs {@code body} on a fresh thread inside one of the lab's namespaces, waiting at most {@code limit}. */
    public <T> T inNamespace(String namespace, Duration limit, NamespaceCall<T> body) throws LabException {
        if (!namespaces.contains(namespace)) {
            throw new IllegalArgumentException(namespace + " is not a namespace of lab " + name);
        }
        return callIn(namespace, limit, body);
    }

    /**
     * Runs {@code body} on a new thread that first enters {@code namespace} (setns(2)); sockets it creates
     * stay in that namespace after the thread ends. Waits at most 10 s. An ErrnoException from inside
     * comes back as a LabException naming the namespace, with the errno exception as its cause.
     */
    public static <T> T callIn(String namespace, NamespaceCall<T> body) throws LabException {
        return callIn(namespace, NAMESPACE_CALL_TIMEOUT, body);
    }

    /** {@link #callIn(String, NamespaceCall)}, waiting at most {@code limit} (then the thread is interrupted). */
    public static <T> T callIn(String namespace, Duration limit, NamespaceCall<T> body) throws LabException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                NetworkNamespace.enter(namespace);
                result[0] = body.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "rawsock-netns-" + namespace);
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, limit.toMillis()));
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while working inside " + namespace, e);
        }
        if (t.isAlive()) {
            t.interrupt();
            throw new LabException("work inside " + namespace + " did not finish within " + limit.toMillis() + " ms");
        }
        Throwable f = failure[0];
        if (f instanceof LabException l) {
            throw l;
        }
        if (f instanceof ErrnoException e) {
            if (e.notPermitted()) {
                LabException denied = LabException.notPermitted("inside " + namespace + ": " + e.getMessage());
                denied.initCause(e);
                throw denied;
            }
            throw new LabException("inside " + namespace + ": " + e.getMessage(), e);
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new LabException("inside " + namespace + ": " + f, f);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** Something to close (in reverse order of registration) before the namespaces are deleted. */
    public synchronized void register(AutoCloseable resource) throws LabException {
        if (closed) {
            throw new LabException("lab " + name + " is already closed");
        }
        resources.push(resource);
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    // ---- observation ----

    /** {@code ss -tan} inside the target namespace: every TCP socket there, TIME-WAIT ones included. */
    public List<String> targetTcpSockets() throws LabException {
        Subprocess.Result r = Subprocess.run(IP_TIMEOUT, null, List.of("ss", "-N", targetNamespace, "-H", "-t", "-a", "-n"));
        if (!r.ok()) {
            throw new LabException(r.describe());
        }
        return r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    // ---- removal ----

    /** Closes what was registered, deletes every namespace (and with them the veth pairs). Idempotent. */
    @Override
    public void close() throws LabException {
        List<String> problems = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            while (!resources.isEmpty()) {
                AutoCloseable r = resources.pop();
                try {
                    r.close();
                } catch (Exception e) {
                    problems.add("closing " + r + ": " + e.getMessage());
                }
            }
            for (int i = createdNamespaces.size() - 1; i >= 0; i--) {
                String ns = createdNamespaces.get(i);
                try {
                    Subprocess.Result r = Subprocess.run(IP_TIMEOUT, null, List.of("ip", "netns", "delete", ns));
                    if (!r.ok() && Files.exists(Path.of(NetworkNamespace.pathOf(ns)))) {
                        problems.add(r.describe());
                    }
                } catch (LabException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs or has run, and finds the lab closed
            }
        }
        if (!problems.isEmpty()) {
            throw new LabException("removing lab " + name + ": " + String.join("; ", problems));
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (LabException | RuntimeException e) {
            System.err.println("rawsock: " + e.getMessage());
        }
    }

    /** The names of every lab namespace that exists now (ours, other processes', stale ones). */
    public static List<String> existingNamespaces() {
        Path dir = Path.of(NetworkNamespace.RUN_DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Deletes the namespaces of labs whose process is gone (killed before it could clean up); returns
     * their names. A lab of a live process, this one's included, is left alone.
     */
    public static List<String> removeStale() throws LabException {
        List<String> removed = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        for (String ns : existingNamespaces()) {
            Matcher m = NAME.matcher(ns);
            if (!m.matches()) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            if (pid == self || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            Subprocess.Result r = Subprocess.run(IP_TIMEOUT, null, List.of("ip", "netns", "delete", ns));
            if (!r.ok() && Files.exists(Path.of(NetworkNamespace.pathOf(ns)))) {
                throw new LabException("removing the stale lab namespace " + ns + " (process " + pid + " is gone): " + r.describe());
            }
            removed.add(ns);
        }
        return removed;
    }

    // ---- privileges and subprocesses ----

    /**
     * The capabilities a lab needs that this process lacks (empty when it has them all): CAP_SYS_ADMIN
     * (namespaces, setns), CAP_NET_ADMIN (interfaces, addresses) and CAP_NET_RAW (packet sockets).
     */
    public static List<String> missingCapabilities() {
        long effective = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("CapEff:")) {
                    effective = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            effective = -1; // unknown: let the calls themselves say what is refused
        }
        List<String> missing = new ArrayList<>();
        if (effective == -1) {
            return missing;
        }
        if ((effective & (1L << CAP_SYS_ADMIN)) == 0) {
            missing.add("CAP_SYS_ADMIN");
        }
        if ((effective & (1L << CAP_NET_ADMIN)) == 0) {
            missing.add("CAP_NET_ADMIN");
        }
        if ((effective & (1L << CAP_NET_RAW)) == 0) {
            missing.add("CAP_NET_RAW");
        }
        return missing;
    }

    /** The remedy printed when privileges are missing. */
    public static final String REMEDY = "the lab creates network namespaces and a veth pair (CAP_SYS_ADMIN, CAP_NET_ADMIN) and "
            + "sends frames on a packet socket (CAP_NET_RAW): run as root, e.g. 'sudo bin/rawsock handshake'";

    private static void checkPrivileges() throws LabException {
        List<String> missing = missingCapabilities();
        if (!missing.isEmpty()) {
            throw LabException.notPermitted("this process lacks " + String.join(", ", missing) + " - " + REMEDY);
        }
    }

    private void ip(String... args) throws LabException {
        Subprocess.Result r = runIp(args);
        if (!r.ok()) {
            String text = r.output();
            if (text.contains("Operation not permitted") || text.contains("Permission denied")) {
                throw LabException.notPermitted(r.describe() + " - " + REMEDY);
            }
            throw new LabException("building lab " + name + ": " + r.describe());
        }
    }

    private void ipTolerant(String... args) throws LabException {
        Subprocess.Result r = runIp(args);
        if (!r.ok()) {
            setup.add("# (not fatal) " + r.describe());
        }
    }

    private Subprocess.Result runIp(String... args) throws LabException {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add("ip");
        command.addAll(List.of(args));
        setup.add(String.join(" ", command));
        return Subprocess.run(IP_TIMEOUT, null, command);
    }

    @Override
    public String toString() {
        return "Lab(" + name + ", " + topology.routers() + " routers" + (closed ? ", closed" : "") + ")";
    }
}
