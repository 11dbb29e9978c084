package org.govhub.ingest;

import org.apache.camel.Exchange;
import org.govhub.batch.BatchAssembler;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.Quarantine;
import org.springframework.stereotype.Component;

/**
 * Which normalised rows go on to the broker or to quarantine (routes/record-publishing.yaml). All of
 * them, except:
 * <ul>
 * <li>in a SQL source's urgent lane, only valid class-1 records ({@link UrgentLane}); the rest come
 * when the source's head reaches them;</li>
 * <li>in a re-read (a SQL source's late-commit check), rows already shared or already in
 * quarantine with the same content: they are counted as repeats and go no further.</li>
 * </ul>
 */
@Component("publishFilter")
public class PublishFilter {

    private final BatchAssembler batches;
    private final Quarantine quarantine;

    public PublishFilter(BatchAssembler batches, Quarantine quarantine) {
        this.batches = batches;
        this.quarantine = quarantine;
    }

    /** Whether this record of the exchange's unit goes on; a repeat of a re-read is counted in the unit's tally. */
    public boolean takes(NormalisedRecord r, Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.getProperty(UrgentLane.URGENT_ONLY, Boolean.class))) {
            return r.valid() && r.priority().priorityClass() == 1;
        }
        if (Boolean.TRUE.equals(exchange.getProperty(ChangePolling.RECHECK, Boolean.class))) {
            boolean repeat = r.valid() ? batches.holds(r.sourceId(), r.recordKey(), r.contentHash())
                    : quarantine.holds(r.sourceId(), r.recordKey(), r.rawHash());
            if (repeat) {
                SourceActivity.Tally tally = SourceActivity.tally(exchange);
                if (tally != null) {
                    tally.repeats(1);
                }
                return false;
            }
        }
        return true;
    }
}
