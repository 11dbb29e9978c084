package org.govhub.sandbox;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Marks the simulated departmental systems and platform. {@code govhub.sandbox.enabled=false}
 * (the {@code prod} profile) removes all of them; nothing in the product depends on them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ConditionalOnProperty(name = "govhub.sandbox.enabled", havingValue = "true")
public @interface ConditionalOnSandbox {
}
