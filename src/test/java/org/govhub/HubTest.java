package org.govhub;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.annotation.AliasFor;

/**
 * A test that runs a whole hub, sandbox included, on a random port, with Camel's test support and
 * the given properties. Tests with equal properties share one hub (Spring caches the context); each
 * hub gets a data directory of its own (TestDataDirectory).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@CamelSpringBootTest
@SpringBootTest(classes = GovHubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public @interface HubTest {

    /** The hub's properties ({@code name=value}), as {@link SpringBootTest#properties()}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] value() default {};
}
