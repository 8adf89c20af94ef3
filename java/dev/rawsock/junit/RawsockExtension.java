package dev.rawsock.junit;

import dev.rawsock.lab.Lab;
import dev.rawsock.socket.SocketApi;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import dev.rawsock.capture.FilterSyntaxException;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * The JUnit 5 extension ({@code @ExtendWith(RawsockExtension.class)}, or {@link RawSocketTest}):
 * <ul>
 *   <li>before each test: raw sockets must be available ({@link Availability}, probed once), or the test is
 *       skipped with the reason and the remedy, or fails when {@code RAWSOCK_REQUIRE_PRIVILEGED=1};</li>
 *   <li>records every packet of the test on {@code lo} ({@link Capture}) from before the body runs, or where and
 *       what {@link CaptureOn} says;</li>
 *   <li>resolves {@link Packets}, {@link Capture}, {@link TestLab} / {@link Lab} (created on demand) and
 *       {@link SocketApi} parameters, and fills fields marked {@link Rawsock} with the same;</li>
 *   <li>after each test, also after a failure or a timeout: stops the capture, and when the test failed writes
 *       it to {@code target/rawsock-captures/<class>.<method>.pcap} (directory: system property
 *       {@code rawsock.captures.dir}) and prints the path; then closes the sockets and removes the lab.</li>
 * </ul>
 */
public final class RawsockExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    public static final String CAPTURES_DIR_PROPERTY = "rawsock.captures.dir";
    public static final String CAPTURE_INTERFACE = "lo";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RawsockExtension.class);
    private static final Set<Class<?>> TYPES = Set.of(Packets.class, Capture.class, Lab.class, TestLab.class, SocketApi.class);

    /** What one test holds; closed in reverse order of opening, also by JUnit when the context closes. */
    static final class State implements ExtensionContext.Store.CloseableResource {
        final SocketApi api = SocketApi.create();
        final Deque<AutoCloseable> opened = new ArrayDeque<>();
        Capture capture;
        Packets packets;
        Lab lab;
        TestLab testLab;
        boolean closed;

        <T extends AutoCloseable> T opened(T resource) {
            opened.push(resource);
            return resource;
        }

        @Override
        public synchronized void close() throws Exception {
            if (closed) {
                return;
            }
            closed = true;
            Exception first = null;
            while (!opened.isEmpty()) {
                try {
                    opened.pop().close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Availability a = Availability.check();
        if (!a.available()) {
            if (Availability.required()) {
                Assertions.fail("RAWSOCK_REQUIRE_PRIVILEGED=1 but " + a.message());
            }
            Assumptions.abort(a.message());
        }
        State s = state(context);
        if (s.capture == null) {
            s.capture = s.opened(startCapture(context, s));
        }
        injectFields(context, s);
    }

    /** The test's capture: where and what {@link CaptureOn} on the method or the class says, else all of lo. */
    private static Capture startCapture(ExtensionContext context, State s) throws Exception {
        Optional<CaptureOn> on = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, CaptureOn.class))
                .or(() -> context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, CaptureOn.class)));
        if (on.isEmpty()) {
            return Capture.start(s.api, CAPTURE_INTERFACE);
        }
        try {
            return Capture.start(s.api, on.get().value(), on.get().filter());
        } catch (FilterSyntaxException e) {
            throw new ExtensionConfigurationException("@CaptureOn filter: " + e.getMessage(), e);
        }
    }

    /** Fills the {@link Rawsock} fields of the test instance (and of enclosing instances of a nested test). */
    private void injectFields(ExtensionContext context, State s) throws Exception {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Field f : AnnotationSupport.findAnnotatedFields(instance.getClass(), Rawsock.class)) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers()) || !TYPES.contains(f.getType())) {
                    throw new ExtensionConfigurationException("@Rawsock field " + f.getDeclaringClass().getSimpleName() + "." + f.getName()
                            + " must be a non-static, non-final field of one of the types " + typeNames());
                }
                f.setAccessible(true);
                f.set(instance, resolve(f.getType(), s));
            }
        }
    }

    private static String typeNames() {
        return TYPES.stream().map(Class::getSimpleName).sorted().toList().toString();
    }

    private static State state(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(State.class, k -> new State(), State.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return TYPES.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        try {
            return resolve(type, state(context));
        } catch (ParameterResolutionException e) {
            throw e;
        } catch (Exception e) {
            throw new ParameterResolutionException("rawsock could not provide a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** The test's one object of {@code type}, opened on first use. */
    private static Object resolve(Class<?> type, State s) throws Exception {
        if (type == SocketApi.class) {
            return s.api;
        }
        if (type == Capture.class) {
            return s.capture; // started in beforeEach, before the body runs
        }
        if (type == Packets.class) {
            if (s.packets == null) {
                s.packets = s.opened(Packets.open(s.api));
            }
            return s.packets;
        }
        if (type == TestLab.class) {
            if (s.testLab == null) {
                s.testLab = s.opened(TestLab.create(s.api));
            }
            return s.testLab;
        }
        if (type == Lab.class) {
            if (s.lab == null) {
                s.lab = s.opened(Lab.create());
            }
            return s.lab;
        }
        throw new ParameterResolutionException("rawsock does not provide " + type);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        State s = context.getStore(NAMESPACE).remove(State.class, State.class);
        if (s == null) {
            return;
        }
        try {
            if (s.capture != null) {
                s.capture.close();
                if (context.getExecutionException().isPresent()) {
                    keep(context, s.capture, pcapPath(context, ""));
                }
            }
            if (s.testLab != null) {
                s.testLab.capture().close();
                if (context.getExecutionException().isPresent()) {
                    keep(context, s.testLab.capture(), pcapPath(context, "-lab"));
                }
            }
        } finally {
            s.close();
        }
    }

    private static void keep(ExtensionContext context, Capture capture, Path path) throws Exception {
        Path pcap = capture.writePcap(path).toAbsolutePath();
        System.err.println("rawsock: the test failed; its packets on " + capture.interfaceName() + " are in " + pcap
                + " (" + capture.frames().size() + " packets; tshark -r " + pcap + ")");
        context.publishReportEntry("rawsock.capture", pcap.toString());
    }

    /** target/rawsock-captures/&lt;class&gt;.&lt;method&gt;[-&lt;n&gt;]&lt;suffix&gt;.pcap, named after the test. */
    static Path pcapPath(ExtensionContext context, String suffix) {
        Path dir = Path.of(System.getProperty(CAPTURES_DIR_PROPERTY, "target/rawsock-captures"));
        String className = context.getRequiredTestClass().getName();
        String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
        String display = context.getDisplayName();
        String name = className + "." + method;
        if (!display.startsWith(method + "(")) { // parameterized and repeated tests: keep them apart
            name += "-" + display;
        }
        return dir.resolve(name.replaceAll("[^A-Za-z0-9._-]+", "_") + suffix + ".pcap");
    }
}
