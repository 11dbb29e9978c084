package org.govhub.ingest;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.springframework.stereotype.Component;

/**
 * The marks of REST sources for operators ({@code /api/admin/sources/{id}/mark}):
 * <ul>
 * <li><b>inspect</b>: the mark (updatedAt and the ids taken at it), whether a pull is under way, the
 * counts (items = published + repeats + quarantined), failures, stalls, the updatedAt rule and the
 * skips;</li>
 * <li><b>rewind</b> to a time: the source's cursor is dropped and the next pull asks for every change
 * at or after that time (written in the source's own updatedAt format); what was taken before is
 * recognised downstream by content hash. A time later than the mark is refused (it would pass over
 * items never taken, as repeats), and so is one later than the source's rule allows;</li>
 * <li><b>skip</b> one item (by its id): the mark does not move; when the item next arrives as new to
 * the pull, it goes to quarantine with the operator's reason instead of to the broker, counted as
 * quarantined, and that version stays there if read again; later versions pass ({@link RestSkips}).
 * Nothing is silently gone: the skipped item is in quarantine, where it can be corrected and replayed.</li>
 * </ul>
 */
@Component
public class RestMarks implements SourceMarks {

    private final CamelContext camel;
    private final RestPages pages;
    private final RestSkips skips;
    /** The sources this node runs (the route files' and the deployed ones). */
    private final Sources sources;

    public RestMarks(CamelContext camel, Sources sources, RestPages pages, RestSkips skips) {
        this.camel = camel;
        this.pages = pages;
        this.skips = skips;
        this.sources = sources;
    }

    @Override
    public boolean handles(String sourceId) {
        return sources.rest(sourceId);
    }

    @Override
    public Map<String, Object> inspect(String sourceId) {
        Map<String, Object> s = pages.state(sourceId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "REST cursor");
        try {
            m.put("rule", rule(sourceId).toString());
        } catch (UnsupportedOperationException e) {
            m.put("rule", e.getMessage());
        }
        m.put("updatedAt", s.get("mark_updated_at"));
        List<String> ids = new ArrayList<>(RestCursor.ids((String) s.get("mark_id")));
        m.put("idsAtUpdatedAt", ids.size() > 50 ? ids.subList(0, 50) : ids);
        m.put("idsAtUpdatedAtCount", ids.size());
        m.put("pullUnderWay", s.get("next_cursor") != null);
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("pages", "pages");
        shown.put("items", "items");
        shown.put("published", "published");
        shown.put("repeats", "repeats");
        shown.put("quarantined", "quarantined");
        shown.put("failures", "failures");
        shown.put("last_error", "lastError");
        shown.put("stalls", "stalls");
        shown.put("last_stall", "lastStall");
        shown.put("next_attempt_at", "nextAttemptAt");
        shown.put("last_success_at", "lastSuccessAt");
        shown.put("changed_at", "changedAt");
        shown.put("revision", "operatorMoves");
        shown.forEach((column, name) -> {
            Object v = s.get(column);
            m.put(name, v instanceof java.util.Date d ? d.toInstant().toString() : v);
        });
        m.put("skips", skips.describe(sourceId));
        return m;
    }

    @Override
    public Move rewind(String sourceId, OffsetDateTime to) {
        UpdatedAtRule rule = rule(sourceId);
        Instant at = to.toInstant();
        Instant latest = Instant.now().plus(rule.maxFutureSkew());
        if (at.isAfter(latest)) {
            throw new IllegalArgumentException("'to' (" + to + ") is later than the hub's clock plus the source's tolerance ("
                    + latest + "): a mark there would hide every change until then");
        }
        Map<String, Object> state = pages.state(sourceId);
        Object current = state.get("mark_updated_at");
        if (current != null) {
            try {
                Instant now = rule.parse((String) current);
                if (at.isAfter(now)) {
                    throw new IllegalArgumentException("'to' (" + to + ") is later than the mark (" + current + "): moving it forward "
                            + "would pass over items never taken; skip single items instead");
                }
            } catch (java.time.DateTimeException unreadable) {
                // a mark that is not a time under the rule (written before it existed) can only be replaced
            }
        }
        String text = rule.write(at);
        RestCursor mark = new RestCursor(text, rule.parse(text), "[]", null);
        String from = describe(state);
        pages.set(sourceId, mark);
        return new Move(from, mark + ": every change at or after it is asked for again");
    }

    @Override
    public Move skip(String sourceId, String itemKey) {
        if (itemKey.length() > RestCursor.MAX_ID_LENGTH) {
            throw new IllegalArgumentException("'key' is " + itemKey.length() + " characters long; an item id has at most "
                    + RestCursor.MAX_ID_LENGTH);
        }
        for (RestSkips.Skip s : skips.of(sourceId)) {
            if (s.pending() && s.itemId().equals(itemKey)) {
                throw new IllegalArgumentException("item " + itemKey + " of " + sourceId + " waits to be skipped already (asked for at "
                        + s.requestedAt() + ")");
            }
        }
        String from = describe(pages.state(sourceId));
        Instant now = Instant.now();
        String to = from + "; item " + itemKey + " goes to quarantine with this reason when it next arrives (skip asked for at "
                + now + ")";
        skips.add(sourceId, itemKey, to, now);
        return new Move(from, to);
    }

    /**
     * The updatedAt rule of a source, from its route's template parameters (the route file says
     * them; the template's defaults fill in the rest).
     */
    UpdatedAtRule rule(String sourceId) {
        for (RouteDefinition route : ((ModelCamelContext) camel).getRouteDefinitions()) {
            Map<String, Object> p = route.getTemplateParameters();
            if (p != null && p.containsKey("updatedAtFormat") && sourceId.equals(resolve(p.get("sourceId")))) {
                return new UpdatedAtRule(resolve(p.get("updatedAtFormat")), Duration.ofMillis(Long.parseLong(resolve(p.get("maxFutureSkew")))));
            }
        }
        throw new UnsupportedOperationException("source " + sourceId + " has no rest-source route: its updatedAt format is unknown");
    }

    private String resolve(Object value) {
        return value == null ? null : camel.resolvePropertyPlaceholders(value.toString()).strip();
    }

    private static String describe(Map<String, Object> s) {
        if (s.isEmpty() || s.get("mark_updated_at") == null) {
            return "(start)" + (s.isEmpty() || s.get("next_cursor") == null ? "" : " next page " + s.get("next_cursor"));
        }
        return "(" + s.get("mark_updated_at") + ", " + s.get("mark_id") + ")"
                + (s.get("next_cursor") == null ? "" : " next page " + s.get("next_cursor"));
    }

}
