package org.govhub.share;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.govhub.batch.RecordChunks;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.Grants.Grant;
import org.govhub.share.Subscriptions.Channel;
import org.govhub.share.Subscriptions.Position;
import org.govhub.share.Subscriptions.SharedBatch;
import org.govhub.share.Subscriptions.Subscription;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The records a subscription is granted, read from the shared batches in order: the pull channel
 * (a feed with a cursor) and the batches the push channels send. Urgent classes first; within a
 * class, in the order batches were sealed and records stored.
 */
@Component
public class SubscriptionFeed {

    /** One granted record: its id is the batch and its place there, the same on every read and replay. */
    public record Item(String recordId, String batchId, int priorityClass, ObjectNode record) {
    }

    /** Refused because of who asks or what the grant allows now (403, not 404: the caller is told why). */
    public static final class Forbidden extends RuntimeException {
        public Forbidden(String message) {
            super(message);
        }
    }

    public static final int MAX_LIMIT = 1000;
    static final int MAX_BATCHES_PER_READ = 200;

    private final JdbcTemplate jdbc;
    private final Catalog catalog;
    private final Grants grants;
    private final Subscriptions subscriptions;

    public SubscriptionFeed(JdbcTemplate jdbc, Catalog catalog, Grants grants, Subscriptions subscriptions) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.grants = grants;
        this.subscriptions = subscriptions;
    }

    /** A subscription of this department whose grant is still active. */
    public Subscription owned(String departmentId, String subscriptionId) {
        Subscription s = subscriptions.find(subscriptionId)
                .orElseThrow(() -> new NoSuchElementException("no subscription " + subscriptionId));
        if (!s.departmentId().equals(departmentId)) {
            throw new Forbidden("subscription " + subscriptionId + " belongs to another department");
        }
        return s;
    }

    public Grant activeGrant(Subscription s) {
        Grant grant = grants.find(s.grantId()).orElseThrow();
        if (!grant.active()) {
            throw new Forbidden("grant " + grant.id() + " of subscription " + s.id() + " is revoked: nothing more is delivered");
        }
        return grant;
    }

    /**
     * The next granted records of a FEED subscription after {@code after} (or after the position last
     * committed). Passing a cursor commits it: the department has everything up to it, and a reader
     * that restarts without a cursor continues there. An earlier cursor replays.
     */
    public Map<String, Object> read(String departmentId, String subscriptionId, String after, int limit) {
        Subscription s = owned(departmentId, subscriptionId);
        if (s.channel() != Channel.FEED) {
            throw new IllegalArgumentException("subscription " + subscriptionId + " is delivered by " + s.channel() + ", not read as a feed");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
        }
        Grant grant = activeGrant(s);
        Map<Integer, Position> positions = subscriptions.positions(subscriptionId);
        if (after != null && !after.isBlank()) {
            positions = Subscriptions.Cursor.read(after, positions);
            long shared = jdbc.queryForObject("SELECT last_seq FROM share_sequence WHERE id = 1", Long.class);
            if (positions.values().stream().anyMatch(p -> p.seq() > shared)) {
                throw new IllegalArgumentException("cursor " + after + " is past what has been shared (position " + shared + ")");
            }
            subscriptions.save(subscriptionId, positions);
        }
        Map<Integer, Position> next = new java.util.TreeMap<>(positions);
        List<Item> items = new ArrayList<>();
        GrantedView view = new GrantedView(catalog.get(grant.resourceCode()), grant.terms());
        int examined = 0;
        for (int c : Subscriptions.CLASSES) {
            if (!view.coversClass(c)) {
                continue;
            }
            // a grant whose rows are rare would otherwise read the whole backlog in one call
            while (items.size() < limit && examined++ < MAX_BATCHES_PER_READ) {
                Position p = next.get(c);
                Optional<SharedBatch> batch = subscriptions.nextBatch(grant, c, p.seq());
                if (batch.isEmpty()) {
                    break;
                }
                List<String> records = RecordChunks.inOrder(jdbc, batch.get().batchId());
                int i = p.offset();
                for (; i < records.size() && items.size() < limit; i++) {
                    ObjectNode shown = view.apply(CanonicalJson.read(records.get(i)), c);
                    if (shown != null) {
                        items.add(new Item(batch.get().batchId() + "/" + i, batch.get().batchId(), c, shown));
                    }
                }
                next.put(c, i >= records.size() ? new Position(batch.get().seq(), 0, p.start()) : new Position(p.seq(), i, p.start()));
            }
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("subscription", subscriptionId);
        page.put("resource", grant.resourceCode());
        page.put("after", Subscriptions.Cursor.write(positions));
        page.put("records", items);
        page.put("next", Subscriptions.Cursor.write(next));
        page.put("backlog", subscriptions.backlog(s, next));
        return page;
    }

    /** The granted records of one whole batch, for the push channels (empty when the grant covers none of its rows). */
    public List<Item> batch(Grant grant, SharedBatch batch) {
        GrantedView view = new GrantedView(catalog.get(grant.resourceCode()), grant.terms());
        List<Item> items = new ArrayList<>();
        if (!view.coversClass(batch.priorityClass())) {
            return items;
        }
        List<String> records = RecordChunks.inOrder(jdbc, batch.batchId());
        for (int i = 0; i < records.size(); i++) {
            ObjectNode shown = view.apply(CanonicalJson.read(records.get(i)), batch.priorityClass());
            if (shown != null) {
                items.add(new Item(batch.batchId() + "/" + i, batch.batchId(), batch.priorityClass(), shown));
            }
        }
        return items;
    }
}
