package org.govhub.batch;

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
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Takes records off a schema's queue into the batch store, many per transaction: up to
 * {@code govhub.batch.intake.max-records} messages are received in one transacted session,
 * stored in one database transaction ({@link BatchAssembler#store}) and only then acknowledged
 * with one broker commit. A crash between the two commits redelivers them and the store drops
 * them as repeats (content hash), so nothing is lost or batched twice.
 *
 * <p>Each message is asked for separately (consumer window 0, see BrokerClientSettings), so the
 * broker hands over the highest JMS priority waiting at that moment: an urgent record that
 * arrives during a drain is taken next, not after the backlog.
 *
 * <p>Called by the batching routes (routes/batching.yaml), one route and one session per queue.
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
            @Value("${govhub.batch.intake.max-records:200}") int maxRecords,
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
            List<BatchAssembler.Incoming> records = new ArrayList<>();
            List<Message> messages = new ArrayList<>();
            Message message = reader.consumer.receive(firstWaitMillis);
            while (message != null) {
                BatchAssembler.Incoming record = read(message, reader);
                if (record != null) {
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
                    log.info("record {} of {} is already batched; not batched again", record.recordKey(), record.sourceId());
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
            Message m = messages.get(refused.get(k));
            moveToUnreadable(m, reader, "the batch store refused it: " + errors.get(k));
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

    /** The record a message carries; null when it cannot be read (it goes to the unreadable queue). */
    private static BatchAssembler.Incoming read(Message message, Reader reader) throws JMSException {
        String problem = null;
        try {
            return incoming(message);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        moveToUnreadable(message, reader, problem);
        return null;
    }

    /** The record of a message, or IllegalArgumentException with what is wrong with it. */
    private static BatchAssembler.Incoming incoming(Message message) throws JMSException {
        String problem;
        if (!(message instanceof TextMessage text) || text.getText() == null) {
            problem = "not a text message";
        } else {
            String schema = message.getStringProperty(RecordNormaliser.H_SCHEMA);
            String version = message.getStringProperty(RecordNormaliser.H_SCHEMA_VERSION);
            String hash = message.getStringProperty(RecordNormaliser.H_CONTENT_HASH);
            String sourceId = message.getStringProperty(RecordNormaliser.H_SOURCE_ID);
            String key = message.getStringProperty(RecordNormaliser.H_RECORD_KEY);
            if (schema == null || version == null || hash == null || sourceId == null || key == null) {
                problem = "missing one of the headers govhubSchema, govhubSchemaVersion, govhubContentHash, govhubSourceId, govhubRecordKey";
            } else {
                Object priority = message.getObjectProperty(RecordNormaliser.H_PRIORITY_CLASS);
                int priorityClass;
                try {
                    priorityClass = priority == null ? 3 : Integer.parseInt(priority.toString());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("govhubPriorityClass is not a number: " + priority);
                }
                return new BatchAssembler.Incoming(text.getText(), schema, version, hash, sourceId, key,
                        message.getStringProperty(RecordNormaliser.H_EVENT_TIME), priorityClass,
                        message.getStringProperty(RecordNormaliser.H_ENTERPRISE));
            }
        }
        throw new IllegalArgumentException(problem);
    }

    /** Kept, not dropped: moved in the drain's transaction to a queue an operator can browse in Hawtio. */
    private static void moveToUnreadable(Message message, Reader reader, String problem) throws JMSException {
        log.error("message {} on {} cannot be batched ({}); moved to {}", message.getJMSMessageID(), reader.queue, problem, UNREADABLE_QUEUE);
        Message kept = message;
        if (message instanceof TextMessage text) {
            // a received message is read-only: the copy carries the reason
            kept = reader.session.createTextMessage(text.getText());
            for (String name : Collections.list((Enumeration<?>) message.getPropertyNames()).stream()
                    .map(Object::toString).filter(n -> !n.startsWith("JMS")).toList()) {
                kept.setObjectProperty(name, message.getObjectProperty(name));
            }
            kept.setStringProperty("govhubReason", problem);
        }
        reader.unreadable().send(kept);
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
