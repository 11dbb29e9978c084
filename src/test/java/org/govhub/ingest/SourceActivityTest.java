package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.govhub.normalise.RecordNormaliser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What makes a source not UP, and how its failures are logged: once, then counted. */
class SourceActivityTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(SourceActivity.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void everyItemOfAUnitIsAccountedForInItsLogLine() {
        SourceActivity activity = new SourceActivity(Duration.ofMinutes(2), 3, Duration.ofMinutes(5));
        Exchange page = exchange("s1");
        SourceActivity.Tally tally = activity.begin(page, "page");
        tally.published();
        tally.published();
        tally.quarantined();
        tally.repeats(4);
        activity.end(page, "a", "b", false);
        assertThat(messages()).containsExactly("source s1: page done: 7 taken = 2 new + 4 repeat(s) + 1 quarantined; mark a -> b");
        assertThat(activity.health("s1").getStatus().getCode()).isEqualTo("UP");
        assertThat(activity.details("s1")).containsEntry("published", 2L).containsEntry("repeats", 4L).containsEntry("quarantined", 1L);
    }

    @Test
    void aRepeatedFailureIsLoggedOnceWithItsCountAndItsEndOnce() {
        SourceActivity activity = new SourceActivity(Duration.ofMinutes(2), 3, Duration.ofMinutes(5));
        for (int i = 0; i < 50; i++) {
            activity.begin(exchange("s2"), "page");
            activity.failed("s2", "SQLException: connection refused");
        }
        assertThat(messages()).hasSize(1).first().asString().contains("page failed: SQLException: connection refused");
        assertThat(activity.condition("s2")).isEqualTo(SourceActivity.Condition.FAILING);
        assertThat((String) activity.details("s2").get("reason")).contains("(50 failure(s)): SQLException: connection refused");
        // another error is news: logged at once, with the count so far
        activity.failed("s2", "SQLException: permission denied");
        assertThat(messages()).hasSize(2).last().asString().contains("51 failures since", "49 not logged", "permission denied");
        unit(activity, "s2", "page", "a", "a", false);
        assertThat(messages()).hasSize(3).last().asString().contains("working again after 51 failure(s)");
        assertThat(activity.condition("s2")).isEqualTo(SourceActivity.Condition.OK);
    }

    @Test
    void aFailingKindOfUnitStaysFailingWhileOtherKindsSucceed() {
        SourceActivity activity = new SourceActivity(Duration.ofMinutes(2), 3, Duration.ofMinutes(5));
        activity.begin(exchange("s5"), "late-commit check");
        activity.failed("s5", "SQLException: timeout");
        unit(activity, "s5", "page", "a", "b", false);
        assertThat(activity.condition("s5")).as("pages going on do not hide a failing late-commit check")
                .isEqualTo(SourceActivity.Condition.FAILING);
        unit(activity, "s5", "late-commit check", "x", "y", false);
        assertThat(activity.condition("s5")).isEqualTo(SourceActivity.Condition.OK);
        // any file ends a file's failure (files have names), and any unit ends a failed poll
        activity.begin(exchange("s5"), "file a.csv");
        activity.failed("s5", "IOException: reset");
        unit(activity, "s5", "file b.csv", "a.csv", "b.csv", false);
        assertThat(activity.condition("s5")).isEqualTo(SourceActivity.Condition.OK);
    }

    @Test
    void aUnitThatDoesNotEndIsBlockedAndAMarkThatStaysPutWhileMoreWaitsIsStuck() throws Exception {
        SourceActivity activity = new SourceActivity(Duration.ofMillis(200), 3, Duration.ofMinutes(5));
        Exchange hanging = exchange("s3");
        activity.begin(hanging, "page");
        assertThat(activity.condition("s3")).isEqualTo(SourceActivity.Condition.OK);
        Thread.sleep(300);
        assertThat(activity.condition("s3")).isEqualTo(SourceActivity.Condition.BLOCKED);
        assertThat(activity.health("s3").getStatus().getCode()).isEqualTo("DOWN");
        activity.end(hanging, "m", "m", true);
        assertThat(activity.condition("s3")).isEqualTo(SourceActivity.Condition.OK);
        unit(activity, "s3", "page", "m", "m", true);
        unit(activity, "s3", "page", "m", "m", true);
        assertThat(activity.condition("s3")).as("three full pages in a row without moving").isEqualTo(SourceActivity.Condition.STUCK);
        assertThat((String) activity.details("s3").get("reason")).contains("mark stays at m");
        unit(activity, "s3", "page", "m", "n", true);
        assertThat(activity.condition("s3")).isEqualTo(SourceActivity.Condition.OK);
    }

    @Test
    void aStreamThatSaysNothingForTooLongIsSilentAndAStandingProblemIsShown() throws Exception {
        SourceActivity activity = new SourceActivity(Duration.ofMinutes(2), 3, Duration.ofMinutes(5));
        activity.expect("s4", Duration.ofMillis(200));
        assertThat(activity.condition("s4")).isEqualTo(SourceActivity.Condition.OK);
        Thread.sleep(300);
        assertThat(activity.condition("s4")).isEqualTo(SourceActivity.Condition.SILENT);
        Exchange heartbeat = exchange("s4");
        activity.begin(heartbeat, "heartbeat");
        activity.endQuietly(heartbeat, "lsn 1");
        assertThat(activity.condition("s4")).isEqualTo(SourceActivity.Condition.OK);
        activity.problem("s4", "3 row(s) have no updated_at");
        assertThat(activity.condition("s4")).isEqualTo(SourceActivity.Condition.PROBLEM);
        assertThat(activity.details("s4")).containsEntry("reason", "3 row(s) have no updated_at");
        activity.problem("s4", null);
        assertThat(activity.condition("s4")).isEqualTo(SourceActivity.Condition.OK);
    }

    /** One unit of a source that begins and ends, its mark moving from {@code from} to {@code to}. */
    private void unit(SourceActivity activity, String sourceId, String what, String from, String to, boolean more) {
        Exchange e = exchange(sourceId);
        activity.begin(e, what);
        activity.end(e, from, to, more);
    }

    private Exchange exchange(String sourceId) {
        Exchange e = new DefaultExchange(camel);
        e.setProperty(RecordNormaliser.SOURCE_ID, sourceId);
        return e;
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
