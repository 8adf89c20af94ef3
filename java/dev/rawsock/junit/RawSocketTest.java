package dev.rawsock.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A JUnit 5 test that needs raw sockets: {@code @Test} plus {@link RawsockExtension}. The test is skipped
 * (with the reason and the remedy) when raw sockets are not available, or fails when
 * {@code RAWSOCK_REQUIRE_PRIVILEGED=1}; it may take {@link Packets}, {@link Capture}, {@link dev.rawsock.lab.Lab}
 * and {@link dev.rawsock.socket.SocketApi} parameters; when it fails, its capture is written as a pcap under
 * {@code target/rawsock-captures/}.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(RawsockExtension.class)
public @interface RawSocketTest {
}
