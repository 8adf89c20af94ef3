package dev.rawsock.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test-class field that {@link RawsockExtension} fills before each test with the same object a parameter of
 * that type would get: {@link Packets}, {@link Capture}, {@link TestLab}, {@link dev.rawsock.lab.Lab} or
 * {@link dev.rawsock.socket.SocketApi}. Like a parameter it lives for one test and is closed after it.
 * (Fields, not constructor parameters: a constructor runs outside any one test, where per-test packets,
 * captures and labs have no owner.)
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Rawsock {
}
