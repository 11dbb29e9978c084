package org.govhub.ingest;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * Where a kind of source keeps its mark (the SQL change mark, the REST cursor, ...), so that an
 * operator can see and move it through one admin API ({@code /api/admin/sources/{id}/mark}). Each
 * kind of source has one implementation; a move is recorded by {@link SourceMarkChanges}.
 */
public interface SourceMarks {

    /** Whether this kind of source is the one with this id. */
    boolean handles(String sourceId);

    /** The mark as it stands: what it is, when it last moved, anything an operator needs to judge it. */
    Map<String, Object> inspect(String sourceId);

    /**
     * Moves the mark back (or forward) so that the next pull takes every item changed at or after
     * {@code to}; what was taken before is recognised again downstream by content hash.
     *
     * @return the mark before and after, as text, for the record of the change
     * @throws UnsupportedOperationException with the reason when this kind of source cannot do it
     */
    Move rewind(String sourceId, OffsetDateTime to);

    /**
     * Skips one item: the next pull goes on past it without taking it.
     *
     * @return the mark before and after, as text
     * @throws UnsupportedOperationException with the reason when this kind of source cannot do it
     * @throws IllegalArgumentException when there is no such item to skip
     */
    Move skip(String sourceId, String itemKey);

    /** A mark before and after an operator moved it. */
    record Move(String from, String to) {
    }
}
