package org.govhub.batch;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.govhub.normalise.LogFields;
import org.govhub.normalise.RecordPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Takes records off a schema's queue into the batch store, many per transaction: pages of records
 * ({@link RecordPage}) up to {@code govhub.batch.intake.max-records} records are received in one transacted session,
 * stored in one database transaction ({@link BatchAssembler#store}) and only then acknowledged
 * with one broker commit. A crash between the two commits redelivers them and the store drops
 * them as repeats (content hash), so nothing is lost or batched twice.
 *
 * <p>Each message is asked for separately (consumer window 0, see BrokerClientSettings), so the
 * broker hands over the highest JMS priority waiting at that moment: an urgent record that
 * arrives during a drain is taken next, not after the backlog.
 *
 * <p>Called by the batching routes (routes/batching.yaml), one route and one session per queue.
 * Written by hand because Camel's JMS consumer gives one message per exchange and transaction: a
 * page of up to max-records in one broker and one database transaction is what the batch stage's
 * throughput and its exactly-once rest on.
 */
@Component("batchIntake")
public class BatchIntake implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(BatchIntake.class);

    /** Where a message the batch stage cannot read goes, with its reason (property govhubReason). */
    public static final String UNREADABLE_QUEUE = "govhub.records.unreadable";

    private final ConnectionFactory factory;
    private final BatchAssembler assembler;
    private final int maxRecords;
    private final long firstWaitMillis;
    private final Map<String, Reader> readers = new HashMap<>();
    private Connection connection;
    /** Failed drains in a row (all queues; they share the broker and the database). */
    private volatile int failures;

    public BatchIntake(ConnectionFactory factory, BatchAssembler assembler,
            @Value("${govhub.batch.intake.max-records:1000}") int maxRecords,
            @Value("${govhub.batch.intake.first-wait:500}") long firstWaitMillis) {
        // the broker's own factory: this connection and its sessions live as long as the hub
        this.factory = factory instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : factory;
        this.assembler = assembler;
        this.maxRecords = maxRecords;
        this.firstWaitMillis = firstWaitMillis;
    }

    /**
     * Takes what waits on a queue, up to the limit, waiting at most the first-wait for the first
     * message.
     *
     * @return how many records were stored
     */
    public int drain(@ExchangeProperty("govhubQueue") String queue) throws JMSException {
        Reader reader;
        try {
            reader = reader(queue);
        } catch (JMSException | RuntimeException e) {
            pause(Math.min(10_000L, firstWaitMillis << Math.min(failures++, 5)));
            throw e;
        }
        try {
            // the records taken and, for each, the message (page) it came in
            List<BatchAssembler.Incoming> records = new ArrayList<>();
            List<Message> messages = new ArrayList<>();
            Message message = reader.consumer.receive(firstWaitMillis);
            while (message != null) {
                for (BatchAssembler.Incoming record : read(message, reader)) {
                    records.add(record);
                    messages.add(message);
                }
                message = records.size() < maxRecords ? reader.consumer.receiveNoWait() : null;
            }
            int stored;
            try {
                stored = assembler.store(records);
            } catch (RuntimeException e) {
                stored = isolate(reader, messages, records, e);
            }
            reader.session.commit();
            failures = 0;
            return stored;
        } catch (RuntimeException | JMSException e) {
            // the messages go back to the queue (redelivered later, see BrokerSettings) and the session
            // is opened anew; the next drain waits, longer after each failure in a row (broker or database down)
            close(queue);
            pause(Math.min(10_000L, firstWaitMillis << Math.min(failures++, 5)));
            throw e;
        }
    }

    /**
     * The batch store refused a drain. Each record is tried alone: when some are stored, the others are
     * at fault (a value the database cannot take) and move to the unreadable queue with the error, so
     * one bad record does not hold up its whole queue. When none can be stored, the drain fails and is
     * redelivered later (with the broker's growing delay, while the rest of the queue goes on), unless
     * the records have failed {@value #MAX_FAILED_DELIVERIES} deliveries already while the database
     * answers: then they are at fault, not the database. A unique violation is a repeat when the
     * table holds the record; when it does not, the index is damaged: the unique indexes are rebuilt
     * (at most once in a while) and the record tried again, else it counts as refused.
     */
    private int isolate(Reader reader, List<Message> messages, List<BatchAssembler.Incoming> records, RuntimeException failure)
            throws JMSException {
        int stored = 0;
        List<Integer> refused = new ArrayList<>();
        List<RuntimeException> errors = new ArrayList<>();
        boolean rebuilt = false;
        for (int i = 0; i < records.size(); i++) {
            BatchAssembler.Incoming record = records.get(i);
            try {
                stored += assembler.store(List.of(record));
            } catch (DuplicateKeyException e) {
                // the store checked for the repeat before it wrote: a unique violation now is not the record's fault
                if (assembler.holds(record)) {
                    try (var fields = LogFields.of(LogFields.SOURCE, record.sourceId(), LogFields.RECORD, record.recordKey())) {
                        log.info("record {} of {} is already batched; not batched again", record.recordKey(), record.sourceId());
                    }
                    continue;
                }
                if (!rebuilt && BatchAssembler.namesUniqueIndex(e)) {
                    log.error("a unique index refuses record {} of {}, which batch_record does not hold ({}); rebuilding the indexes",
                            record.recordKey(), record.sourceId(), e.getMostSpecificCause().getMessage());
                    rebuilt = true;
                    if (assembler.rebuildUniqueIndexes()) {
                        i--; // the same record again
                        continue;
                    }
                }
                refused.add(i);
                errors.add(e);
            } catch (RuntimeException e) {
                refused.add(i);
                errors.add(e);
            }
        }
        if (refused.size() == records.size()
                && (messages.stream().anyMatch(m -> deliveries(m) < MAX_FAILED_DELIVERIES) || !assembler.storeAnswers())) {
            throw failure;
        }
        for (int k = 0; k < refused.size(); k++) {
            moveToUnreadable(records.get(refused.get(k)), messages.get(refused.get(k)), reader,
                    "the batch store refused it: " + errors.get(k));
        }
        return stored;
    }

    static final int MAX_FAILED_DELIVERIES = 3;

    private static int deliveries(Message message) {
        try {
            return message.getIntProperty("JMSXDeliveryCount");
        } catch (JMSException | RuntimeException e) {
            return 0;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The records a page carries; none when it cannot be read (it goes to the unreadable queue whole). */
    private static List<BatchAssembler.Incoming> read(Message message, Reader reader) throws JMSException {
        try {
            return incoming(message);
        } catch (IllegalArgumentException e) {
            log.error("message {} on {} cannot be batched ({}); moved to {}", message.getJMSMessageID(), reader.queue, e.getMessage(),
                    UNREADABLE_QUEUE);
            reader.unreadable().send(withReason(message, reader.session, e.getMessage()));
            return List.of();
        }
    }

    /** The records of a page ({@link RecordPage}), or IllegalArgumentException with what is wrong with it. */
    private static List<BatchAssembler.Incoming> incoming(Message message) throws JMSException {
        if (!(message instanceof BytesMessage)) {
            throw new IllegalArgumentException("not a page of records (a BytesMessage)");
        }
        String schema = message.getStringProperty(RecordPage.H_SCHEMA);
        String version = message.getStringProperty(RecordPage.H_SCHEMA_VERSION);
        String sourceId = message.getStringProperty(RecordPage.H_SOURCE_ID);
        // every header a page is sent with; a page without its class is not guessed to be class 3
        if (schema == null || version == null || sourceId == null || !message.propertyExists(RecordPage.H_RECORD_COUNT)
                || !message.propertyExists(RecordPage.H_PRIORITY_CLASS)) {
            throw new IllegalArgumentException("missing one of the headers " + RecordPage.H_SCHEMA + ", " + RecordPage.H_SCHEMA_VERSION
                    + ", " + RecordPage.H_SOURCE_ID + ", " + RecordPage.H_PRIORITY_CLASS + ", " + RecordPage.H_RECORD_COUNT);
        }
        Object priority = message.getObjectProperty(RecordPage.H_PRIORITY_CLASS);
        int priorityClass;
        int count;
        try {
            priorityClass = Integer.parseInt(priority.toString());
            count = Integer.parseInt(message.getObjectProperty(RecordPage.H_RECORD_COUNT).toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RecordPage.H_PRIORITY_CLASS + " or " + RecordPage.H_RECORD_COUNT + " is not a number");
        }
        List<BatchAssembler.Incoming> records = new ArrayList<>(count);
        for (RecordPage.Entry e : RecordPage.read(message.getBody(byte[].class), count)) {
            records.add(new BatchAssembler.Incoming(e.record(), schema, version, e.contentHash(), sourceId, e.recordKey(),
                    e.eventTime(), priorityClass, e.enterpriseCode()));
        }
        return records;
    }

    /**
     * Kept, not dropped: a record the batch store refused moves, in the drain's transaction, to a queue an
     * operator can browse in Hawtio, as a page of its own with the page's headers and the reason.
     */
    private static void moveToUnreadable(BatchAssembler.Incoming record, Message page, Reader reader, String problem)
            throws JMSException {
        try (var fields = LogFields.of(LogFields.SOURCE, record.sourceId(), LogFields.RECORD, record.recordKey())) {
            log.error("record {} of {} on {} cannot be batched ({}); moved to {}", record.recordKey(), record.sourceId(), reader.queue,
                    problem, UNREADABLE_QUEUE);
        }
        BytesMessage kept = reader.session.createBytesMessage();
        copyProperties(page, kept);
        kept.writeBytes(RecordPage.of(new RecordPage.Kind(record.sourceId(), record.schema(), record.schemaVersion(),
                record.priorityClass()), new RecordPage.Entry(record.recordKey(), record.contentHash(), record.eventTime(),
                record.enterpriseCode(), record.record())));
        kept.setIntProperty(RecordPage.H_RECORD_COUNT, 1);
        // what an operator browsing the queue in Hawtio looks for first
        kept.setStringProperty("govhubRecordKey", record.recordKey());
        kept.setStringProperty("govhubReason", problem);
        reader.unreadable().send(kept);
    }

    /** A copy of a message (a received one is read-only) that carries the reason it cannot be batched. */
    private static Message withReason(Message message, Session session, String problem) throws JMSException {
        Message kept;
        if (message instanceof BytesMessage bytes) {
            BytesMessage copy = session.createBytesMessage();
            copy.writeBytes(bytes.getBody(byte[].class));
            kept = copy;
        } else if (message instanceof TextMessage text) {
            kept = session.createTextMessage(text.getText());
        } else {
            kept = message; // kept as it came; the reason is in the log
            return kept;
        }
        copyProperties(message, kept);
        kept.setStringProperty("govhubReason", problem);
        return kept;
    }

    private static void copyProperties(Message from, Message to) throws JMSException {
        for (String name : Collections.list((Enumeration<?>) from.getPropertyNames()).stream()
                .map(Object::toString).filter(n -> !n.startsWith("JMS")).toList()) {
            to.setObjectProperty(name, from.getObjectProperty(name));
        }
    }

    private synchronized Reader reader(String queue) throws JMSException {
        Reader reader = readers.get(queue);
        if (reader == null) {
            if (connection == null) {
                connection = factory.createConnection();
                // a lost connection (an external broker restarting): every reader is opened anew on its next drain
                connection.setExceptionListener(e -> {
                log.warn("batch intake lost its broker connection ({}); it reconnects on the next drain", e.getMessage());
                closeAll();
            });
                connection.start();
            }
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            reader = new Reader(queue, session, session.createConsumer(session.createQueue(queue)));
            readers.put(queue, reader);
        }
        return reader;
    }

    private synchronized void close(String queue) {
        Reader reader = readers.remove(queue);
        if (reader != null) {
            try {
                reader.session.close(); // rolls back what it had received
            } catch (JMSException | RuntimeException e) {
                log.warn("session of {} could not be closed ({}); the broker connection is opened anew", queue, e.getMessage());
                closeAll();
            }
        }
    }

    private synchronized void closeAll() {
        if (connection == null) {
            return;
        }
        readers.clear();
        try {
            connection.close();
        } catch (JMSException | RuntimeException e) {
            log.debug("closing the broken connection: {}", e.getMessage());
        }
        connection = null;
    }

    @Override
    public void destroy() {
        closeAll();
    }

    private static final class Reader {
        final String queue;
        final Session session;
        final MessageConsumer consumer;
        private MessageProducer unreadable;

        Reader(String queue, Session session, MessageConsumer consumer) {
            this.queue = queue;
            this.session = session;
            this.consumer = consumer;
        }

        MessageProducer unreadable() throws JMSException {
            if (unreadable == null) {
                unreadable = session.createProducer(session.createQueue(UNREADABLE_QUEUE));
            }
            return unreadable;
        }
    }
}
