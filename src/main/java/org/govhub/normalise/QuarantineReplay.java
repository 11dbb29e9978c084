package org.govhub.normalise;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Replays a quarantined record: its corrected row (or the raw row, when the reason was fixed
 * elsewhere, such as an accepted code) goes through the same mapping and validation as at
 * ingest. A record that passes is put on its schema's queue like any fresh record, so it is
 * batched, de-duplicated by content hash and delivered the usual way.
 */
@Component
public class QuarantineReplay {

    /** What became of a replay: sent, or the reasons it still fails. */
    public record Outcome(long id, boolean replayed, List<String> reasons, String contentHash) {
    }

    private final Quarantine quarantine;
    private final RecordNormaliser normaliser;
    private final ProducerTemplate producer;

    public QuarantineReplay(Quarantine quarantine, RecordNormaliser normaliser, ProducerTemplate producer) {
        this.quarantine = quarantine;
        this.normaliser = normaliser;
        this.producer = producer;
    }

    public Outcome replay(long id, String operator) {
        Map<String, Object> entry = quarantine.find(id).orElseThrow(() -> new IllegalArgumentException("no quarantined record " + id));
        if (!"OPEN".equals(entry.get("status"))) {
            throw new IllegalStateException("quarantined record " + id + " is " + entry.get("status") + ", not OPEN");
        }
        Object corrected = entry.get("corrected_payload");
        String rowJson = corrected != null ? corrected.toString() : entry.get("raw_payload").toString();
        @SuppressWarnings("unchecked")
        Map<String, Object> row = CanonicalJson.MAPPER.convertValue(CanonicalJson.read(rowJson), Map.class);
        NormalisedRecord record = normaliser.normalise((String) entry.get("source_id"), (String) entry.get("mapping_id"), row,
                Instant.now());
        if (!record.valid()) {
            quarantine.stillInvalid(id, record.reasons());
            return new Outcome(id, false, record.reasons(), null);
        }
        // a page of one record, as a source publishes it
        producer.sendBodyAndHeaders("jms:queue:" + Queues.forSchema(record.schema()) + "?preserveMessageQos=true",
                RecordPage.of(RecordPage.Kind.of(record), RecordPage.entryOf(record)), RecordPage.Kind.of(record).headers(1));
        quarantine.replayed(id, operator);
        return new Outcome(id, true, List.of(), record.contentHash());
    }
}
