package org.govhub.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.Quarantine;
import org.govhub.normalise.RecordPage;
import org.springframework.stereotype.Component;

/**
 * Gathers what one poll, file or page of a source gives (routes/record-publishing.yaml): its valid
 * records into pages per schema and priority class ({@link RecordPage}), its invalid rows into one
 * list for the quarantine. Both go out at the end of the poll, inside its broker transaction: one
 * message per page, one database batch for the quarantine, instead of one of each per record.
 */
@Component("recordPages")
public class RecordPages {

    /** The exchange property holding the poll's outcome; the split's exchanges share it. */
    static final String OUTCOME = "govhubPublishOutcome";

    private final Quarantine quarantine;

    public RecordPages(Quarantine quarantine) {
        this.quarantine = quarantine;
    }

    /** What one poll publishes: pages being filled and closed, rows for the quarantine. */
    static final class Outcome {
        final Map<RecordPage.Kind, RecordPage.Builder> open = new LinkedHashMap<>();
        final List<RecordPage.Builder> closed = new ArrayList<>();
        final List<NormalisedRecord> invalid = new ArrayList<>();
    }

    /** Before the rows are normalised: an empty outcome. */
    public void start(Exchange exchange) {
        exchange.setProperty(OUTCOME, new Outcome());
    }

    /** A normalised row that goes on: a valid record onto its page, an invalid row onto the quarantine's list. */
    public void add(Exchange exchange) {
        NormalisedRecord record = exchange.getMessage().getBody(NormalisedRecord.class);
        Outcome outcome = exchange.getProperty(OUTCOME, Outcome.class);
        if (!record.valid()) {
            outcome.invalid.add(record);
            return;
        }
        byte[] line = RecordPage.line(RecordPage.entryOf(record));
        RecordPage.Builder page = outcome.open.computeIfAbsent(RecordPage.Kind.of(record), RecordPage.Builder::new);
        if (!page.fits(line.length)) {
            outcome.closed.add(page);
            page = new RecordPage.Builder(page.kind());
            outcome.open.put(page.kind(), page);
        }
        page.add(line);
    }

    /** The poll's invalid rows into quarantine, in one database batch. */
    public void quarantine(Exchange exchange) {
        quarantine.keepAll(exchange.getProperty(OUTCOME, Outcome.class).invalid);
    }

    /** The poll's pages as messages (body and headers), for the split that sends each to its queue. */
    public List<Message> pages(Exchange exchange) {
        Outcome outcome = exchange.getProperty(OUTCOME, Outcome.class);
        List<RecordPage.Builder> pages = new ArrayList<>(outcome.closed);
        pages.addAll(outcome.open.values());
        List<Message> messages = new ArrayList<>(pages.size());
        for (RecordPage.Builder page : pages) {
            Message message = new DefaultMessage(exchange.getContext());
            message.setBody(page.body());
            message.setHeaders(page.kind().headers(page.count()));
            messages.add(message);
        }
        exchange.removeProperty(OUTCOME);
        return messages;
    }
}
