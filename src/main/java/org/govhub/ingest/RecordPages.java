package org.govhub.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.ObjectHelper;
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

    /** The exchange property holding the poll's outcome, from reading its rows to sending its pages. */
    static final String OUTCOME = "govhubPublishOutcome";

    private final Quarantine quarantine;
    private final PublishFilter filter;

    public RecordPages(Quarantine quarantine, PublishFilter filter) {
        this.quarantine = quarantine;
        this.filter = filter;
    }

    /** What one poll publishes: pages being filled and closed, rows for the quarantine. */
    static final class Outcome {
        final Map<RecordPage.Kind, RecordPage.Builder> open = new LinkedHashMap<>();
        final List<RecordPage.Builder> closed = new ArrayList<>();
        final List<NormalisedRecord> invalid = new ArrayList<>();
    }

    /**
     * Every row of the body (a list, an iterator: what the source hands over) read by the source's
     * {@link RowReader}; those the {@link PublishFilter} takes go, a valid record onto the page of its
     * schema and priority class, an invalid row onto the quarantine's list, each counted in the unit's
     * tally. A loop in one bean call, not a split: five processors per row cost more CPU than the
     * normalising itself (issue 12). A row that fails fails the whole unit, as a split that stops on
     * an exception did: its transaction rolls back and the rows are read again.
     */
    public void read(Exchange exchange) {
        Outcome outcome = new Outcome();
        exchange.setProperty(OUTCOME, outcome);
        String readerName = exchange.getProperty(RowReader.PROPERTY, String.class);
        RowReader reader = exchange.getContext().getRegistry().lookupByNameAndType(readerName, RowReader.class);
        if (reader == null) {
            throw new IllegalStateException("no row reader '" + readerName + "' (" + RowReader.PROPERTY + ")");
        }
        for (Object row : ObjectHelper.createIterable(exchange.getMessage().getBody())) {
            NormalisedRecord record = reader.read(row, exchange);
            if (filter.takes(record, exchange)) {
                add(outcome, record);
                SourceActivity.counted(exchange, record.valid());
            }
        }
    }

    private static void add(Outcome outcome, NormalisedRecord record) {
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
