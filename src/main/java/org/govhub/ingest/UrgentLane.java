package org.govhub.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The urgent lane of a SQL source (routes/sql-source.kamelet.yaml): while a source's backlog is read page by
 * page in change order, the newest rows beyond the page are looked at once for class-1 records, which
 * go to the broker at once ({@link PublishFilter} lets only those through). Each row is looked at
 * once: the lane remembers the newest position it saw. That mark lives in memory; after a restart the
 * newest rows are looked at again, and what the lane publishes twice the batch stage drops as a
 * repeat, like any re-read row.
 */
@Component("urgentLane")
public class UrgentLane {

    private static final Logger log = LoggerFactory.getLogger(UrgentLane.class);

    /** Exchange property set while the lane publishes (routes/sql-source.kamelet.yaml). */
    public static final String URGENT_ONLY = "govhubUrgentOnly";

    private final Map<String, ChangePolling.Position> marks = new ConcurrentHashMap<>();
    private final ChangePolling polling;

    public UrgentLane(ChangePolling polling) {
        this.polling = polling;
    }

    /** Where the lane looks from: past the page just taken (the head) and past what it looked at before. */
    public void from(Exchange exchange) {
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        ChangePolling.Position head = polling.head(sourceId).orElse(ChangePolling.Position.START);
        ChangePolling.Position looked = marks.get(sourceId);
        ChangePolling.bind(exchange, looked != null && looked.compareTo(head) > 0 ? looked : head);
    }

    /** Remembers the newest row looked at (rows come newest first), once their class-1 records are on the broker. */
    @SuppressWarnings("unchecked")
    public void looked(Exchange exchange) {
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        if (rows == null || rows.isEmpty()) {
            return;
        }
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        ChangePolling.Position newest = ChangePolling.position(exchange, rows.get(0));
        marks.merge(sourceId, newest, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        log.debug("source {}: urgent lane looked at {} rows up to {}", sourceId, rows.size(), newest);
    }
}
