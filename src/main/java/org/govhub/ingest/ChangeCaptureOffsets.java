package org.govhub.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/**
 * Where a change-capture source keeps its position in the database's log (Debezium offsets), a file
 * in the data directory like Kafka Connect's own file store, with one difference that keeps the
 * hub's promise: no position is saved while a change the source has taken is not yet on the broker
 * or in quarantine. Camel's Debezium consumer counts an event as processed when its exchange ends,
 * even when it ended without publishing (the route stopped, the hub shut down in the middle); the
 * engine would then save a position past it. Here such an event stays unsettled, so nothing more is
 * saved until the source starts again and reads it again from the last position saved.
 */
public class ChangeCaptureOffsets extends FileOffsetBackingStore {

    /** Offset files whose source has taken a change that is not settled yet, with which. */
    private static final Map<String, String> UNSETTLED = new ConcurrentHashMap<>();

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
        UNSETTLED.remove(file); // a new engine reads again from the last position saved
        super.start();
    }

    @Override
    protected void save() {
        String change = UNSETTLED.get(file);
        if (change != null) {
            throw new IllegalStateException("position not saved: " + change + " was taken but is not on the broker or in"
                    + " quarantine; it is read again when the source starts again");
        }
        super.save();
    }

    /** The source with this offset file has taken a change: no position is saved until it is settled. */
    static void taken(String offsetFile, String change) {
        UNSETTLED.put(offsetFile, change);
    }

    /** The change in hand is on the broker or in quarantine. */
    static void settled(String offsetFile) {
        UNSETTLED.remove(offsetFile);
    }
}
