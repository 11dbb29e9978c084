package org.govhub.ingest;

import java.time.Instant;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll strategy of an FTP drop folder's consumer (one per source, created by the route template
 * with the source id: {@code pollStrategy=#class:org.govhub.ingest.DropFolderPolls('<sourceId>')}),
 * and its exception handler (the {@code ftp-drop} consumer sets it). Whatever fails is reported to
 * {@link SourceActivity} — logged once with a count, FAILING in health — instead of Camel's WARN on
 * every poll: a poll that failed before it could look at the folder (server down, login refused,
 * listing refused), and a file the consumer could not fetch or move. A file whose route failed
 * (broker down) is reported by the route itself. A poll that worked ends a failure that came
 * before it, and hands its look at the folder to {@link DropFolders}.
 */
public class DropFolderPolls implements PollingConsumerPollStrategy, ExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DropFolderPolls.class);

    private final String sourceId;
    private volatile Instant pollStarted;
    private volatile Throwable reported;
    private volatile Endpoint endpoint;

    public DropFolderPolls(String sourceId) {
        this.sourceId = sourceId;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        this.endpoint = endpoint;
        pollStarted = Instant.now();
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (consumer instanceof DropFolderFtpComponent.Consumer drop && drop.lastLook() != null) {
            bean(endpoint, DropFolders.class).looked(sourceId, drop.lastLook());
        }
        bean(endpoint, SourceActivity.class).polled(sourceId, pollStarted);
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        reported = cause; // Camel hands it to the exception handler next
        bean(endpoint, SourceActivity.class).failed(sourceId, "the drop folder could not be polled: " + SourceActivity.describe(cause));
        return false; // the next poll tries again
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (exception == reported || (exchange != null && exchange.getProperty(RecordNormaliser.SOURCE_ID) != null)) {
            // the poll strategy or the file's route (SourceActivity.fail) reported it already
            log.debug("source {}: {}", sourceId, message, exception);
            return;
        }
        String what = message == null ? "" : message.replaceAll("\\s+", " ").strip() + ": ";
        if (endpoint == null) {
            log.warn("source {}: {}{}", sourceId, what, SourceActivity.describe(exception));
            return;
        }
        bean(endpoint, SourceActivity.class).failed(sourceId, what + SourceActivity.describe(exception));
    }

    private static <T> T bean(Endpoint endpoint, Class<T> type) {
        return endpoint.getCamelContext().getRegistry().findSingleByType(type);
    }
}
