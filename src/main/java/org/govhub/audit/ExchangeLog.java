package org.govhub.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Appends to the hub's tamper-evident exchange log (docs/exchange-log.md). An append that returns
 * has been committed; one that cannot be written throws {@link Unavailable}, and the caller must
 * then not perform the exchange (fail closed).
 */
public interface ExchangeLog {

    /** The actor of exchanges the hub makes on its own (deliveries, pushes). */
    String HUB = "hub";

    Entry append(Event event);

    /**
     * Appends an entry and makes the change it records in one transaction: both are committed, or
     * neither (the change answered false or threw). One commit where two would do the same (a batch's
     * send attempt and its move to SENDING, its receipt and its move to ACKNOWLEDGED); the entry is
     * still written first. Throws {@link Unavailable} when the entry cannot be written.
     *
     * @return what the change answered
     */
    boolean appendWith(Event event, java.util.function.BooleanSupplier change);

    /**
     * What happened: who, what action on which resource, for which department and batch (both may be
     * null), the SHA-256 of the payload exchanged (hex, null when there is none or it is a secret), and the outcome.
     */
    record Event(String actor, String action, String resource, String department, String batch, String payloadSha256,
            String outcome) {
    }

    /** The log cannot be written: the exchange must not happen. */
    class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
