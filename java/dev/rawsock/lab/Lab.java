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
 * A private place where crafted TCP talks to a real kernel without the kernel's RST: two network
 * namespaces that rawsock creates, wires and removes itself, joined by a veth pair.
 *
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
 * <p>Set-up uses the {@code ip} command (iproute2) as bounded subprocesses whose output goes into error
 * messages; sockets inside a namespace are opened from Java with setns(2) on a dedicated thread
 * ({@link #inCrafting}, {@link #inTarget}), never through a subprocess. The host's own network
 * configuration is not touched: both ends of the veth pair are created inside the namespaces.
 *
 * <p>Removal: {@link #close()} (idempotent), a shutdown hook (Ctrl-C), and for a process that was killed,
 * the next {@link #create()}: namespaces are named {@code rawsock-PID-N-c} / {@code -t} after the process
 * that made them, and those whose process is gone are deleted ({@link #removeStale()}). Deleting a
 * namespace deletes its veth end, and the peer end with it. Safety: only 198.18.0.0/15 is used inside.
 */
public final class Lab implements AutoCloseable {
    /** Every lab namespace starts with this. */
    public static final String PREFIX = "rawsock-";
    /** 198.18.0.1: the crafting side's address, owned by no kernel (rawsock speaks as it). */
    public static final int CRAFTING_ADDRESS = 0xC612_0001;
    /** 198.18.0.2: the target side's address, on veth-target. */
    public static final int TARGET_ADDRESS = 0xC612_0002;
    public static final int PREFIX_LENGTH = 24;
    /** Locally administered MACs (the 0x02 bit), the same in every lab: each lab's link is private. */
    public static final long CRAFTING_MAC = 0x0272_7300_0001L;
    public static final long TARGET_MAC = 0x0272_7300_0002L;
    public static final String CRAFTING_INTERFACE = "veth-craft";
    public static final String TARGET_INTERFACE = "veth-target";

    private static final Pattern NAME = Pattern.compile("rawsock-(\\d+)-(\\d+)-[ct]");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration NAMESPACE_CALL_TIMEOUT = Duration.ofSeconds(10);

    // Capability bits (linux/capability.h) in /proc/self/status CapEff.
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_SYS_ADMIN = 21;

    private final String name;
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

    private Lab(String name, List<String> removedStale) {
        this.name = name;
        this.craftingNamespace = name + "-c";
        this.targetNamespace = name + "-t";
        this.removedStale = List.copyOf(removedStale);
        this.shutdownHook = new Thread(this::closeQuietly, "rawsock-lab-cleanup-" + name);
    }

    /**
     * Builds a lab: removes stale labs of dead processes first, then creates the namespaces and the veth
     * pair, addresses, the permanent neighbour entry, and switches off transmit checksum offload on the
     * target side. On any failure everything made so far is removed before the exception is thrown.
     */
    public static Lab create() throws LabException {
        checkPrivileges();
        List<String> stale = removeStale();
        String name = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        Lab lab = new Lab(name, stale);
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
        ip("netns", "add", craftingNamespace);
        createdNamespaces.add(craftingNamespace);
        ip("netns", "add", targetNamespace);
        createdNamespaces.add(targetNamespace);
        // Both ends are created inside the namespaces: nothing appears in the host's, even for a moment.
        ip("-n", craftingNamespace, "link", "add", CRAFTING_INTERFACE, "address", MacAddress.text(CRAFTING_MAC),
                "type", "veth", "peer", "name", TARGET_INTERFACE, "address", MacAddress.text(TARGET_MAC),
                "netns", targetNamespace);
        // No IPv6 link-local addresses: neither kernel then sends router or neighbour solicitations on the link.
        ipTolerant("-n", craftingNamespace, "link", "set", "dev", CRAFTING_INTERFACE, "addrgenmode", "none");
        ipTolerant("-n", targetNamespace, "link", "set", "dev", TARGET_INTERFACE, "addrgenmode", "none");
        ip("-n", craftingNamespace, "link", "set", "dev", CRAFTING_INTERFACE, "up");
        ip("-n", targetNamespace, "link", "set", "dev", "lo", "up");
        ip("-n", targetNamespace, "address", "add", Ipv4Address.text(TARGET_ADDRESS) + "/" + PREFIX_LENGTH,
                "dev", TARGET_INTERFACE);
        ip("-n", targetNamespace, "link", "set", "dev", TARGET_INTERFACE, "up");
        // The target reaches 198.18.0.1 without ARP: nobody on the crafting side would answer it.
        ip("-n", targetNamespace, "neigh", "replace", Ipv4Address.text(CRAFTING_ADDRESS), "lladdr",
                MacAddress.text(CRAFTING_MAC), "dev", TARGET_INTERFACE, "nud", "permanent");
        // veth finishes no checksum itself: with offload on, the target kernel's segments would cross the
        // link with their TCP checksum unfinished (TP_STATUS_CSUMNOTREADY). Off, every segment is complete.
        transmitChecksumOffloadOff = inTarget(() -> {
            try {
                Interfaces.setTransmitChecksumOffload(TARGET_INTERFACE, false);
                return !Interfaces.transmitChecksumOffload(TARGET_INTERFACE);
            } catch (ErrnoException e) {
                setup.add("# ethtool ioctl failed (" + e.getMessage() + "): unfinished checksums are recognised "
                        + "from PACKET_AUXDATA instead");
                return false;
            }
        });
        setup.add("ioctl(SIOCETHTOOL, ETHTOOL_STXCSUM, 0) on " + TARGET_INTERFACE + " in " + targetNamespace
                + " (ethtool -K " + TARGET_INTERFACE + " tx off)" + (transmitChecksumOffloadOff ? "" : ": not supported"));
        craftingInterfaceIndex = inCrafting(() -> PacketSocket.interfaceIndex(CRAFTING_INTERFACE));
    }

    // ---- identity ----

    /** {@code rawsock-PID-N}: the namespaces are this plus "-c" and "-t". */
    public String name() {
        return name;
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

    /**
     * Runs {@code body} on a new thread that first enters {@code namespace} (setns(2)); sockets it creates
     * stay in that namespace after the thread ends. Waits at most 10 s. An ErrnoException from inside
     * comes back as a LabException naming the namespace, with the errno exception as its cause.
     */
    public static <T> T callIn(String namespace, NamespaceCall<T> body) throws LabException {
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
            t.join(NAMESPACE_CALL_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while working inside " + namespace, e);
        }
        if (t.isAlive()) {
            throw new LabException("work inside " + namespace + " did not finish within " + NAMESPACE_CALL_TIMEOUT.toSeconds() + " s");
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

    /** Closes what was registered, deletes both namespaces (and with them the veth pair). Idempotent. */
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
        return "Lab(" + name + (closed ? ", closed" : "") + ")";
    }
}
