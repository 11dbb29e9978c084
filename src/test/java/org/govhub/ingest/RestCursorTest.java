package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** The cursor logic of REST sources, without HTTP or a database. */
class RestCursorTest {

    private static final RestCursor.Api API = RestCursor.Api.DEFAULT;

    private static RestCursor.Key key(String updatedAt, String id) {
        return new RestCursor.Key(updatedAt, id);
    }

    @Test
    void theFirstPullAsksFromTheBeginningThenFollowsTheSourcesCursorThenAsksForChangesSinceTheMark() {
        assertThat(RestCursor.START.nextQuery(API, 50)).isEqualTo(Map.of("limit", "50"));
        RestCursor midPull = new RestCursor("2020-03-01T10:00:00+08:00", "7", "abc/+=");
        assertThat(midPull.nextQuery(API, 50)).isEqualTo(Map.of("cursor", "abc/+=", "limit", "50"));
        assertThat(midPull.queryString(API, 50)).isEqualTo("cursor=abc%2F%2B%3D&limit=50");
        RestCursor caughtUp = new RestCursor("2020-03-01T10:00:00+08:00", "7", null);
        assertThat(caughtUp.queryString(new RestCursor.Api("modifiedFrom", "pageToken", "size"), 10))
                .isEqualTo("modifiedFrom=2020-03-01T10%3A00%3A00%2B08%3A00&size=10");
    }

    @Test
    void itemsThatTieOnUpdatedAtAreRecognisedByTheIdsTakenAtTheMarksTime() {
        RestCursor c = new RestCursor("2020-03-01T10:00:00+08:00", "[\"A\",\"B\"]", null);
        assertThat(c.isNew(key("2020-03-01T10:00:00+08:00", "A"))).isFalse();
        assertThat(c.isNew(key("2020-03-01T10:00:00+08:00", "B"))).isFalse();
        assertThat(c.isNew(key("2020-03-01T10:00:00+08:00", "C"))).isTrue();
        assertThat(c.isNew(key("2020-03-01T09:59:59+08:00", "Z"))).isFalse();
        assertThat(c.isNew(key("2020-03-01T10:00:01+08:00", "A"))).isTrue();
        // the same instant written another way is still a tie
        assertThat(c.isNew(key("2020-03-01T02:00:00Z", "A"))).isFalse();
        assertThat(c.isNew(key("2020-03-01 10:00:00", "C"))).isTrue();
        // fractions of a second order changes within one second
        assertThat(c.isNew(key("2020-03-01 10:00:00.900", "A"))).isTrue();
    }

    @Test
    void tiedIdsAreNeverJudgedByTheirOrderWhichSourcesDisagreeOn() {
        // a source that sorts ids as text gives "10" before "9"; one that sorts numerically, after
        RestCursor c = RestCursor.START.after(List.of(key("2020-03-01T10:00:00+08:00", "10")), null);
        assertThat(c.isNew(key("2020-03-01T10:00:00+08:00", "9"))).isTrue();
        assertThat(c.isNew(key("2020-03-01T10:00:00+08:00", "10"))).isFalse();
        RestCursor later = c.after(List.of(key("2020-03-01T10:00:00+08:00", "9")), null);
        assertThat(later.markIds()).containsExactlyInAnyOrder("9", "10");
        // state written before tie sets (a single id) is still understood
        assertThat(new RestCursor("2020-03-01T10:00:00+08:00", "7", null).markIds()).containsExactly("7");
    }

    @Test
    void anItemThatCannotBePlacedCountsAsNewAndDoesNotMoveTheMark() {
        RestCursor c = new RestCursor("2020-03-01T10:00:00+08:00", "5", null);
        assertThat(c.isNew(key(null, "1"))).isTrue();
        assertThat(c.isNew(key("2020-03-01T11:00:00+08:00", ""))).isTrue();
        RestCursor after = c.after(List.of(key(null, "1"), key("2020-03-02T00:00:00+08:00", null)), null);
        assertThat(after.markUpdatedAt()).isEqualTo(c.markUpdatedAt());
        assertThat(after.markIds()).containsExactly("5");
    }

    @Test
    void theMarkMovesToTheLatestTimeWithEveryIdTakenAtItAndTheNextCursorIsThePagesOwn() {
        RestCursor c = RestCursor.START.after(List.of(
                key("2020-03-01T10:00:00+08:00", "3"), key("2020-03-01T10:00:00+08:00", "12"), key("2020-02-28T08:00:00+08:00", "99")),
                "next-1");
        assertThat(c).isEqualTo(new RestCursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", "next-1"));
        // an empty last page: caught up, mark unchanged
        assertThat(c.after(List.of(), null)).isEqualTo(new RestCursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", null));
        // never backwards
        assertThat(c.after(List.of(key("2020-01-01T00:00:00+08:00", "1")), "")).isEqualTo(
                new RestCursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", null));
    }

    /**
     * A simulated source with many ties: pages of every size, cut anywhere through tie groups,
     * with re-reads since the mark after catching up and after a restart that lost the source's
     * cursor. Every item is taken exactly once.
     */
    @Test
    void pagingThroughTiesWithAnyPageSizeTakesEveryItemExactlyOnce() {
        List<RestCursor.Key> source = new ArrayList<>();
        // numeric ids of different widths, ordered by the source as text ("99" after "100"), not as numbers
        IntStream.range(0, 60).forEach(i -> source.add(key(String.format("2020-03-01T10:%02d:00+08:00", i / 7), Integer.toString(40 + (i * 37) % 120))));
        source.sort(SOURCE_ORDER);
        for (int pageSize = 1; pageSize <= 13; pageSize++) {
            List<String> taken = new ArrayList<>();
            RestCursor cursor = RestCursor.START;
            int requests = 0;
            while (requests++ < 500) {
                List<RestCursor.Key> page = servePage(source, cursor, pageSize);
                String next = page.size() == pageSize && !page.isEmpty()
                        && SOURCE_ORDER.compare(page.get(page.size() - 1), source.get(source.size() - 1)) < 0
                        ? page.get(page.size() - 1).updatedAt() + "|" + page.get(page.size() - 1).id() : null;
                for (RestCursor.Key k : page) {
                    if (cursor.isNew(k)) {
                        taken.add(k.id());
                    }
                }
                boolean anyNew = page.stream().anyMatch(cursor::isNew);
                cursor = cursor.after(page, next);
                if (requests == 7) {
                    cursor = new RestCursor(cursor.markUpdatedAt(), cursor.markId(), null); // restart: source cursor lost
                } else if (next == null && !anyNew) {
                    break; // caught up
                }
            }
            assertThat(taken).as("page size %d", pageSize).hasSize(source.size())
                    .containsExactlyInAnyOrderElementsOf(source.stream().map(RestCursor.Key::id).toList());
        }
    }

    /** The simulated source's own order: by time, then ids as text. */
    private static final Comparator<RestCursor.Key> SOURCE_ORDER = Comparator
            .comparing((RestCursor.Key k) -> k, (a, b) -> RestCursor.compareTime(a.updatedAt(), b.updatedAt()))
            .thenComparing(RestCursor.Key::id);

    /** Like a source API: after its cursor (strictly), else updatedSince inclusive, ordered its own way. */
    private static List<RestCursor.Key> servePage(List<RestCursor.Key> source, RestCursor cursor, int limit) {
        return source.stream()
                .filter(k -> {
                    if (cursor.nextCursor() != null) {
                        String[] at = cursor.nextCursor().split("\\|");
                        return SOURCE_ORDER.compare(k, key(at[0], at[1])) > 0;
                    }
                    return cursor.markUpdatedAt() == null || RestCursor.compareTime(k.updatedAt(), cursor.markUpdatedAt()) >= 0;
                })
                .sorted(SOURCE_ORDER)
                .limit(limit)
                .toList();
    }

    @Test
    void theBackOffDoublesUpToItsLimit() {
        assertThat(RestPages.backoff(1, 1000, 60000)).isEqualTo(1000);
        assertThat(RestPages.backoff(2, 1000, 60000)).isEqualTo(2000);
        assertThat(RestPages.backoff(4, 1000, 60000)).isEqualTo(8000);
        assertThat(RestPages.backoff(10, 1000, 60000)).isEqualTo(60000);
        assertThat(RestPages.backoff(200, 1000, 60000)).isEqualTo(60000);
    }

    @Test
    void failuresAreDescribedWithoutTheRequestsCredential() {
        HttpOperationFailedException unauthorised = new HttpOperationFailedException("http://x/api/filings?limit=5", 401,
                "Unauthorized", null, Map.of(), "{\"error\": \"missing or wrong API key\"}");
        assertThat(RestPages.describe(unauthorised)).isEqualTo("HTTP 401 Unauthorized: {\"error\": \"missing or wrong API key\"}");
        assertThat(RestPages.describe(new RuntimeException(new java.net.SocketTimeoutException("Read timed out"))))
                .startsWith("no answer within the timeout");
    }
}
