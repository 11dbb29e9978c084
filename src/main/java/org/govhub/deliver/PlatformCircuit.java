package org.govhub.deliver;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The circuit breaker in front of the national platform: a resilience4j {@link CircuitBreaker} that
 * the {@code platform-delivery} route's {@code circuitBreaker} EIP uses by name. After
 * {@code failureThreshold} calls in a row fail for reasons the platform's health explains (no
 * answer, time-out, 5xx, 429) it opens: no batch is sent for {@code openFor}, so a platform that is
 * down is not hammered and the hub does not burn attempts. Then one trial call (half-open) decides:
 * success closes it, failure opens it again. A refusal of one batch (400, 409, 413, 422) says
 * nothing about the platform and counts as an answer.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformCircuit {

    public static final String BEAN = "platformCircuitBreaker";

    @Bean(BEAN)
    public CircuitBreaker platformCircuitBreaker(PlatformProperties properties) {
        return create(properties, Clock.systemUTC());
    }

    static CircuitBreaker create(PlatformProperties properties, Clock clock) {
        int threshold = properties.failureThreshold();
        return CircuitBreaker.of("national-platform", CircuitBreakerConfig.custom()
                // the last `threshold` calls all failed: that many failures in a row
                .slidingWindowType(SlidingWindowType.COUNT_BASED).slidingWindowSize(threshold).minimumNumberOfCalls(threshold)
                .failureRateThreshold(100)
                .waitDurationInOpenState(properties.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(failure -> !refusal(failure))
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build());
    }

    /** The platform answered and said no to this batch (malformed, conflicting): retrying the same bytes cannot help. */
    static boolean refusal(Throwable failure) {
        HttpOperationFailedException http = ObjectHelper.getException(HttpOperationFailedException.class, failure);
        if (http == null) {
            return false;
        }
        int code = http.getStatusCode();
        return code == 400 || code == 409 || code == 413 || code == 422;
    }

    /**
     * Whether calls are being held back: open, and not yet time for a trial. Once it is time, this
     * moves the breaker to half-open (resilience4j does so when asked for a permit; the permit is
     * handed back for the EIP's trial call).
     */
    public static boolean holding(CircuitBreaker breaker) {
        if (breaker.getState() != CircuitBreaker.State.OPEN) {
            return false;
        }
        if (breaker.tryAcquirePermission()) {
            breaker.releasePermission();
            return false;
        }
        return true;
    }
}
