package org.govhub.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/**
 * Where a change-capture source keeps its position in the database's log (Debezium offsets), a file
 * in the data directory like Kafka Connect's own file store, with one difference that keeps the
 * hub's promise: once a change event of the source could not be published, no later position is
 * saved. Camel's Debezium consumer counts an event whose exchange failed as processed, so without
 * this a failure could save a position past that event; with it, the source reads the event again
 * when it starts again ({@link ChangeEvents} restarts it).
 */
public class ChangeCaptureOffsets extends FileOffsetBackingStore {

    /** Offset files whose source failed to publish an event since its engine started, with why. */
    private static final Map<String, String> FAILED = new ConcurrentHashMap<>();

    private String file;

    /** Debezium creates the store by its class name, with no arguments: the converter is Kafka Connect's own file-store one. */
    public ChangeCaptureOffsets() {
        super(converter());
    }

    private static JsonConverter converter() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), true);
        return converter;
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = java.nio.file.Path.of(config.getString("offset.storage.file.filename")).toAbsolutePath().normalize().toString();
    }

    @Override
    public synchronized void start() {
        FAILED.remove(file); // a new engine reads again from the last position saved
        super.start();
    }

    @Override
    protected void save() {
        String why = FAILED.get(file);
        if (why != null) {
            throw new IllegalStateException("position not saved: " + why);
        }
        super.save();
    }

    /** A change event of the source with this offset file could not be published: save nothing more until it starts again. */
    static void publishingFailed(String offsetFile, String why) {
        FAILED.put(offsetFile, why);
    }
}
