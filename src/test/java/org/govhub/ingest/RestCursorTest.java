package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** The cursor logic of REST sources, without HTTP or a database. */
class RestCursorTest {

    private static final RestCursor.Api API = RestCursor.Api.DEFAULT;
    /** Lenient on purpose here: these tests are about the order, and write times several ways. */
    private static final UpdatedAtRule ANY_ISO = new UpdatedAtRule("ISO_DATE_TIME", Duration.ofHours(1));
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static RestCursor.Key key(String updatedAt, String id) {
        return new RestCursor.Key(updatedAt, instant(updatedAt), id);
    }

    private static Instant instant(String updatedAt) {
        return updatedAt.contains("T") ? ANY_ISO.parse(updatedAt)
                : new UpdatedAtRule("yyyy-MM-dd HH:mm:ss[.SSS]", Duration.ZERO).parse(updatedAt);
    }

    /** A cursor with a mark, as RestPages reads it from the database. */
    private static RestCursor cursor(String markUpdatedAt, String markId, String nextCursor) {
        return new RestCursor(markUpdatedAt, instant(markUpdatedAt), markId, nextCursor);
    }

    @Test
    void theFirstPullAsksFromTheBeginningThenFollowsTheSourcesCursorThenAsksForChangesSinceTheMark() {
        assertThat(RestCursor.START.nextQuery(API, 50)).isEqualTo(Map.of("limit", "50"));
        RestCursor midPull = cursor("2020-03-01T10:00:00+08:00", "7", "abc/+=");
        assertThat(midPull.nextQuery(API, 50)).isEqualTo(Map.of("cursor", "abc/+=", "limit", "50"));
        assertThat(midPull.queryString(API, 50)).isEqualTo("cursor=abc%2F%2B%3D&limit=50");
        RestCursor caughtUp = cursor("2020-03-01T10:00:00+08:00", "7", null);
        assertThat(caughtUp.queryString(new RestCursor.Api("modifiedFrom", "pageToken", "size"), 10))
                .isEqualTo("modifiedFrom=2020-03-01T10%3A00%3A00%2B08%3A00&size=10");
    }

    @Test
    void itemsThatTieOnUpdatedAtAreRecognisedByTheIdsTakenAtTheMarksTime() {
        RestCursor c = cursor("2020-03-01T10:00:00+08:00", "[\"A\",\"B\"]", null);
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
        assertThat(cursor("2020-03-01T10:00:00+08:00", "7", null).markIds()).containsExactly("7");
    }

    @Test
    void theMarkMovesToTheLatestTimeWithEveryIdTakenAtItAndTheNextCursorIsThePagesOwn() {
        RestCursor c = RestCursor.START.after(List.of(
                key("2020-03-01T10:00:00+08:00", "3"), key("2020-03-01T10:00:00+08:00", "12"), key("2020-02-28T08:00:00+08:00", "99")),
                "next-1");
        assertThat(c).isEqualTo(cursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", "next-1"));
        // an empty last page: caught up, mark unchanged
        assertThat(c.after(List.of(), null)).isEqualTo(cursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", null));
        // never backwards
        assertThat(c.after(List.of(key("2020-01-01T00:00:00+08:00", "1")), "")).isEqualTo(
                cursor("2020-03-01T10:00:00+08:00", "[\"12\",\"3\"]", null));
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
                    cursor = cursor.withNextCursor(null); // restart: source cursor lost
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
            .comparing(RestCursor.Key::at)
            .thenComparing(RestCursor.Key::id);

    /** Like a source API: after its cursor (strictly), else updatedSince inclusive, ordered its own way. */
    private static List<RestCursor.Key> servePage(List<RestCursor.Key> source, RestCursor cursor, int limit) {
        return source.stream()
                .filter(k -> {
                    if (cursor.nextCursor() != null) {
                        String[] at = cursor.nextCursor().split("\\|");
                        return SOURCE_ORDER.compare(k, key(at[0], at[1])) > 0;
                    }
                    return cursor.markUpdatedAt() == null || !k.at().isBefore(cursor.markAt());
                })
                .sorted(SOURCE_ORDER)
                .limit(limit)
                .toList();
    }

    // ---- the updatedAt rule: what may place an item in the order

    private static final UpdatedAtRule ISO_OFFSET = new UpdatedAtRule(UpdatedAtRule.DEFAULT_FORMAT, Duration.ofHours(1));

    private static String refusal(UpdatedAtRule rule, Object value) {
        UpdatedAtRule.Placement p = rule.place("updatedAt", value, NOW);
        assertThat(p).as("placement of %s", value).isInstanceOf(UpdatedAtRule.Refused.class);
        return ((UpdatedAtRule.Refused) p).reason();
    }

    @Test
    void anUpdatedAtPlacesAnItemOnlyInTheDeclaredFormatAsARealTimeNotFarAheadOfTheClock() {
        assertThat(ISO_OFFSET.place("updatedAt", " 2020-03-01T10:00:00+08:00 ", NOW))
                .isEqualTo(new UpdatedAtRule.Placed("2020-03-01T10:00:00+08:00", Instant.parse("2020-03-01T02:00:00Z")));
        // every reason names the field, the value and the rule
        assertThat(refusal(ISO_OFFSET, "yesterday")).startsWith("updatedAt 'yesterday' is not a real time")
                .contains("ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, "1583028000000")).contains("updatedAt '1583028000000'", "ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, 1583028000000L)).contains("updatedAt '1583028000000'", "ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, "2020-04-37T10:00:00+08:00"))
                .contains("updatedAt '2020-04-37T10:00:00+08:00'", "ISO_OFFSET_DATE_TIME", "DayOfMonth", "37");
        assertThat(refusal(ISO_OFFSET, "2020-02-30T10:00:00+08:00")).contains("FEBRUARY 30");
        assertThat(refusal(ISO_OFFSET, "2021-02-29T10:00:00+08:00")).contains("not a leap year");
        assertThat(refusal(ISO_OFFSET, "2020-03-01T24:00:00+08:00")).contains("HourOfDay");
        assertThat(refusal(ISO_OFFSET, "2020-03-01T10:00:00")).contains("'2020-03-01T10:00:00'", "ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, "2020-03-01 10:00:00+08:00")).contains("ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, "2020年3月1日 10:00")).contains("ISO_OFFSET_DATE_TIME");
        assertThat(refusal(ISO_OFFSET, "2099-12-31T23:59:59+08:00"))
                .contains("updatedAt '2099-12-31T23:59:59+08:00' lies in the future", "plus 1h", "cannot be the source's mark");
        assertThat(refusal(ISO_OFFSET, null)).isEqualTo("updatedAt is missing: an item is placed in the source's order only by it");
        assertThat(refusal(ISO_OFFSET, "  ")).startsWith("updatedAt is empty");
        assertThat(refusal(ISO_OFFSET, Map.of("$date", "2020-03-01T10:00:00+08:00"))).contains("is not a time but an object");
        assertThat(refusal(ISO_OFFSET, List.of("2020-03-01T10:00:00+08:00"))).contains("is not a time but a list");
        assertThat(refusal(ISO_OFFSET, true)).contains("is not a time but a boolean");
        // a clock a little ahead is tolerated, up to maxFutureSkew
        String soon = ISO_OFFSET.write(NOW.plus(Duration.ofMinutes(59)));
        assertThat(ISO_OFFSET.place("updatedAt", soon, NOW)).isInstanceOf(UpdatedAtRule.Placed.class);
        assertThat(refusal(ISO_OFFSET, ISO_OFFSET.write(NOW.plus(Duration.ofMinutes(61))))).contains("lies in the future");
        // a long value is shortened in the reason, identity numbers in it are masked
        assertThat(refusal(ISO_OFFSET, "x".repeat(500)).length()).isLessThan(300);
        assertThat(refusal(ISO_OFFSET, "36010219800101001X")).contains("360102********").doesNotContain("36010219800101001X");
    }

    @Test
    void aSourceDeclaresItsOwnFormatAndEachIsReadStrictlyAndWrittenBackTheSame() {
        UpdatedAtRule epoch = new UpdatedAtRule(UpdatedAtRule.EPOCH_MILLIS, Duration.ofHours(1));
        assertThat(epoch.place("modified", 1583028000000L, NOW)).isEqualTo(
                new UpdatedAtRule.Placed("1583028000000", Instant.parse("2020-03-01T02:00:00Z")));
        assertThat(((UpdatedAtRule.Refused) epoch.place("modified", "2020-03-01T10:00:00+08:00", NOW)).reason())
                .contains("modified '2020-03-01T10:00:00+08:00'", "EPOCH_MILLIS");
        UpdatedAtRule local = new UpdatedAtRule("yyyy-MM-dd HH:mm:ss", Duration.ofHours(1));
        assertThat(local.place("updatedAt", "2020-03-01 10:00:00", NOW)).isEqualTo(
                new UpdatedAtRule.Placed("2020-03-01 10:00:00", Instant.parse("2020-03-01T02:00:00Z"))); // Beijing time
        assertThat(refusal(local, "2020-02-30 10:00:00")).contains("yyyy-MM-dd HH:mm:ss");
        assertThat(refusal(local, "2020-3-1 10:00:00")).contains("'2020-3-1 10:00:00'");
        assertThat(refusal(local, "2020-03-01T10:00:00+08:00")).contains("yyyy-MM-dd HH:mm:ss");
        UpdatedAtRule instant = new UpdatedAtRule("ISO_INSTANT", Duration.ofHours(1));
        Instant t = Instant.parse("2020-03-01T02:00:00.250Z");
        for (UpdatedAtRule rule : List.of(ISO_OFFSET, epoch, local, instant, new UpdatedAtRule("ISO_LOCAL_DATE_TIME", Duration.ZERO))) {
            Instant whole = rule == local ? t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : t;
            assertThat(rule.parse(rule.write(t))).as("%s", rule.format()).isEqualTo(whole);
        }
        assertThat(ISO_OFFSET.write(t)).isEqualTo("2020-03-01T10:00:00.25+08:00");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new UpdatedAtRule("yyyy-bb", Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updatedAtFormat 'yyyy-bb'");
    }

    private static RestCursor.Verdict judge(RestCursor c, Object id, Object updatedAt) {
        return c.judge("filingId", id, "updatedAt", updatedAt, ISO_OFFSET, NOW);
    }

    @Test
    void anItemIsNewARepeatOrRefusedAndARefusedOneIsNeverComparedWithTheMark() {
        RestCursor c = cursor("2020-03-01T10:00:00+08:00", "[\"A\"]", null);
        String atMark = "2020-03-01T10:00:00+08:00";
        assertThat(judge(c, "B", atMark)).isEqualTo(new RestCursor.New(new RestCursor.Key(atMark, c.markAt(), "B")));
        assertThat(judge(c, 42, "2020-03-01T10:00:01+08:00")).isInstanceOf(RestCursor.New.class)
                .extracting(v -> ((RestCursor.New) v).key().id()).isEqualTo("42");
        assertThat(judge(c, "A", atMark)).isInstanceOf(RestCursor.Repeat.class);
        assertThat(judge(c, "Z", "2020-03-01T09:00:00+08:00")).isInstanceOf(RestCursor.Repeat.class);
        assertThat(judge(c, null, atMark)).isEqualTo(new RestCursor.Refused(List.of("filingId is missing: an item is identified only by it")));
        assertThat(judge(c, " ", atMark)).isEqualTo(new RestCursor.Refused(List.of("filingId is empty: an item is identified only by it")));
        assertThat(((RestCursor.Refused) judge(c, Map.of("no", 1), atMark)).reasons()).singleElement().asString()
                .contains("filingId", "is not a text or a number");
        assertThat(((RestCursor.Refused) judge(c, "x".repeat(201), atMark)).reasons()).singleElement().asString()
                .contains("filingId is 201 characters long");
        // both wrong: both reasons
        assertThat(((RestCursor.Refused) judge(c, null, "2099-01-01T00:00:00+08:00")).reasons()).hasSize(2);
        // an unparseable time that sorts after the mark as text is not new, not a repeat: refused
        assertThat(judge(c, "C", "2020-04-37T10:00:00+08:00")).isInstanceOf(RestCursor.Refused.class);
        assertThat(judge(c, "C", "9999")).isInstanceOf(RestCursor.Refused.class);
    }

    /** An item of the simulated source: the time the source orders it by, its id and the updatedAt it serves. */
    private record Served(Instant orderAt, Object id, Object updatedAt, boolean valid) {
    }

    /**
     * The poison classes of issue 11 on a simulated source that orders by its own column while
     * serving broken updatedAt values (unparseable, epoch milliseconds, impossible, far future,
     * missing, not text) and an item without id, placed among ties, at the start and at the end:
     * with every page size, restarts and re-reads, every page's items are new + repeats + refused,
     * every valid item is taken exactly once, no broken one is ever taken or becomes the mark.
     */
    @Test
    void brokenItemsNeverBecomeTheMarkNorHideAnyOtherItemWhateverThePageSize() {
        List<Served> source = new ArrayList<>();
        Instant base = Instant.parse("2020-03-01T02:00:00Z");
        for (int i = 0; i < 40; i++) {
            Instant at = base.plusSeconds(60L * (i / 3)); // ties of three
            source.add(new Served(at, "V" + i, ISO_OFFSET.write(at), true));
        }
        Object[] broken = {"yesterday", base.plusSeconds(100_000).toEpochMilli(), "2020-04-37T10:00:00+08:00", "2099-12-31T23:59:59+08:00",
            null, "", Map.of("$date", "2020-03-01"), "2020-03-01 10:30:00"};
        int[] positions = {0, 5, 13, 14, 22, 30, 39, 40};
        for (int b = 0; b < broken.length; b++) {
            Instant at = base.plusSeconds(60L * (positions[b] / 3)).plusMillis(1 + b);
            source.add(new Served(at, "B" + b, broken[b], false));
        }
        source.add(new Served(base.plusSeconds(60 * 6).plusMillis(9), null, ISO_OFFSET.write(base.plusSeconds(60 * 6)), false));
        Comparator<Served> order = Comparator.comparing(Served::orderAt).thenComparing(v -> String.valueOf(v.id()));
        source.sort(order);
        List<String> validIds = source.stream().filter(Served::valid).map(v -> (String) v.id()).toList();
        Instant latestValid = source.stream().filter(Served::valid).map(Served::orderAt).max(Comparator.naturalOrder()).orElseThrow();

        for (int pageSize = 1; pageSize <= 13; pageSize++) {
            List<String> taken = new ArrayList<>();
            RestCursor cursor = RestCursor.START;
            Integer after = null; // the simulated source's cursor: index of the last item served
            int requests = 0;
            while (requests++ < 1000) {
                int from;
                if (after != null) {
                    from = after + 1;
                } else if (cursor.hasMark()) {
                    Instant since = cursor.markAt();
                    from = (int) source.stream().filter(v -> v.orderAt().isBefore(since)).count();
                } else {
                    from = 0;
                }
                List<Served> page = source.subList(Math.min(from, source.size()), Math.min(from + pageSize, source.size()));
                boolean more = from + pageSize < source.size();
                RestCursor.Advance advance = cursor.advance();
                int news = 0;
                int repeats = 0;
                int refused = 0;
                for (Served v : page) {
                    RestCursor.Verdict verdict = judge(cursor, v.id(), v.updatedAt());
                    if (verdict instanceof RestCursor.New n) {
                        news++;
                        assertThat(v.valid()).as("broken item %s taken (page size %d)", v, pageSize).isTrue();
                        taken.add(n.key().id());
                        advance.add(n.key());
                    } else if (verdict instanceof RestCursor.Repeat) {
                        repeats++;
                        assertThat(v.valid()).isTrue();
                    } else {
                        refused++;
                        assertThat(v.valid()).as("valid item %s refused", v).isFalse();
                    }
                }
                assertThat(news + repeats + refused).as("every item of the page accounted for").isEqualTo(page.size());
                cursor = advance.result(more ? "c" : null);
                after = more ? from + page.size() - 1 : null;
                if (cursor.hasMark()) {
                    assertThat(ISO_OFFSET.parse(cursor.markUpdatedAt())).isEqualTo(cursor.markAt()).isBeforeOrEqualTo(latestValid);
                }
                if (requests == 7 || requests == 19) {
                    after = null; // a restart that lost the source's cursor: since the mark
                    cursor = cursor.withNextCursor(null);
                } else if (!more && news == 0) {
                    break; // caught up
                }
            }
            assertThat(taken).as("page size %d", pageSize).containsExactlyInAnyOrderElementsOf(validIds);
        }
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
