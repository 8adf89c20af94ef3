package dev.rawsock.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where and what the test's {@link Capture} records, on the test method or its class (the method's wins):
 * {@code @CaptureOn(value = "lo", filter = "tcp port 8080")}. The filter is rawsock's tcpdump-style filter
 * (the same as {@code rawsock sniff}), compiled to classic BPF and attached to the capture's socket, so
 * the kernel drops what it does not match before it is copied. Default: every packet on {@code lo}.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CaptureOn {
    /** The interface to record on. */
    String value() default RawsockExtension.CAPTURE_INTERFACE;

    /** A capture filter such as {@code "tcp port 8080"}; empty: everything. */
    String filter() default "";
}
