package org.govhub.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The urgent lane of a SQL source (routes/sql-source.yaml): while a source's backlog is read page by
 * page in key order, the newest rows beyond the page are looked at once for class-1 records, which
 * go to the broker at once. Each row is looked at once: the lane remembers the newest key it saw.
 * That mark lives in memory; after a restart the newest rows are looked at again, and what the lane
 * publishes twice the batch stage drops as a repeat, like any re-read row.
 */
@Component("urgentLane")
public class UrgentLane {

    private static final Logger log = LoggerFactory.getLogger(UrgentLane.class);

    private final Map<String, Long> marks = new ConcurrentHashMap<>();

    /** Exchange property set while the lane publishes (routes/sql-source.yaml). */
    public static final String URGENT_ONLY = "govhubUrgentOnly";

    /**
     * Whether a normalised row goes on to the broker or quarantine (routes/record-publishing.yaml):
     * always, except in the lane, which takes valid class-1 records only; the rest (and any
     * quarantine) come when the source's watermark reaches them.
     */
    public boolean takes(@ExchangeProperty(URGENT_ONLY) Boolean urgentOnly, @Header(RecordNormaliser.H_VALID) Boolean valid,
            @Header(RecordNormaliser.H_PRIORITY_CLASS) Integer priorityClass) {
        return !Boolean.TRUE.equals(urgentOnly) || Boolean.TRUE.equals(valid) && Integer.valueOf(1).equals(priorityClass);
    }

    /** Where the lane looks from: past the page just taken (the new watermark) and past what it looked at before. */
    public long from(@ExchangeProperty(RecordNormaliser.SOURCE_ID) String sourceId, @Body long watermark) {
        return Math.max(watermark, marks.getOrDefault(sourceId, 0L));
    }

    /** Remembers the newest row looked at (rows come newest first), once their class-1 records are on the broker. */
    public void looked(@ExchangeProperty(RecordNormaliser.SOURCE_ID) String sourceId,
            @ExchangeProperty(SourceWatermarks.KEY_COLUMN) String keyColumn, @Body List<Map<String, Object>> rows) {
        if (rows == null || rows.isEmpty()) {
            return;
        }
        Object newest = RowKeys.value(rows.get(0), keyColumn);
        if (newest != null) {
            long key = Long.parseLong(newest.toString().trim());
            marks.merge(sourceId, key, Math::max);
            log.debug("source {}: urgent lane looked at {} rows up to key {}", sourceId, rows.size(), key);
        }
    }
}
