package org.govhub.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A department's feed reader that keeps its cursor itself, as a consumer storing offsets with its data does. */
final class FeedReader {
    String subscription;
    String cursor;
    /** The last cursor handed to the hub (and so committed there). */
    String committed;
    final List<String> recordIds = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    final Set<String> fields = new TreeSet<>();

    void read(HubJvm hub, String key, int pages, int limit) {
        for (int i = 0; i < pages; i++) {
            JsonNode page = hub.asDepartment(key, "GET", "/api/share/subscriptions/" + subscription + "/records?limit=" + limit
                    + (cursor == null ? "" : "&after=" + cursor), null);
            committed = cursor == null ? committed : cursor;
            for (JsonNode item : page.path("records")) {
                recordIds.add(item.path("recordId").asText());
                JsonNode p = item.path("record").path("provenance");
                keys.add(p.path("sourceId").asText() + "|" + p.path("sourceRecordKey").asText());
                item.path("record").fieldNames().forEachRemaining(fields::add);
            }
            cursor = page.path("next").asText();
            if (page.path("records").isEmpty()) {
                return;
            }
        }
    }
}
