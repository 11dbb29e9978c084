package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change-capture source's position is never saved while a change it has taken is not settled
 * (on the broker or in quarantine), whatever the engine thinks it processed: not by a flush, not by
 * the commit at shutdown. A new engine (a restart) reads from the last position saved.
 */
class ChangeCaptureOffsetsTest {

    @TempDir
    Path dir;

    @Test
    void noPositionIsSavedWhileAChangeIsUnsettled() throws Exception {
        Path file = dir.resolve("cdc/s1.offsets").toAbsolutePath();
        Files.createDirectories(file.getParent());
        ChangeCaptureOffsets store = start(file);
        save(store, "lsn", "100");
        assertThat(load(file)).containsEntry("lsn", "100");

        ChangeCaptureOffsets.taken(file.toString(), "the change at lsn 200");
        assertThatThrownBy(() -> save(store, "lsn", "200")).hasRootCauseMessage(
                "position not saved: the change at lsn 200 was taken but is not on the broker or in quarantine;"
                        + " it is read again when the source starts again");
        store.stop();
        assertThat(load(file)).as("the file after the engine stopped with the change unsettled").containsEntry("lsn", "100");

        // a new engine starts from the last position saved, and saves again once its changes settle
        ChangeCaptureOffsets again = start(file);
        ChangeCaptureOffsets.taken(file.toString(), "the change at lsn 200");
        ChangeCaptureOffsets.settled(file.toString());
        save(again, "lsn", "200");
        again.stop();
        assertThat(load(file)).containsEntry("lsn", "200");
    }

    private static ChangeCaptureOffsets start(Path file) {
        ChangeCaptureOffsets store = new ChangeCaptureOffsets();
        store.configure(new StandaloneConfig(Map.of("offset.storage.file.filename", file.toString(),
                "key.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter",
                "bootstrap.servers", "localhost:9")));
        store.start();
        return store;
    }

    private static void save(ChangeCaptureOffsets store, String key, String value) throws Exception {
        store.set(Map.of(bytes(key), bytes(value)), (error, result) -> { }).get(10, TimeUnit.SECONDS);
    }

    private static Map<String, String> load(Path file) {
        ChangeCaptureOffsets reader = start(file);
        try {
            Map<ByteBuffer, ByteBuffer> values = reader.get(java.util.List.of(bytes("lsn"))).get(10, TimeUnit.SECONDS);
            return values.entrySet().stream().filter(e -> e.getValue() != null).collect(java.util.stream.Collectors.toMap(
                    e -> StandardCharsets.UTF_8.decode(e.getKey().duplicate()).toString(),
                    e -> StandardCharsets.UTF_8.decode(e.getValue().duplicate()).toString()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            reader.stop();
        }
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
