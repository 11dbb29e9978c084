package org.govhub.enrich;

/** A record whose policy facts cannot be computed from what it says: the message is its quarantine reason. */
public class PolicyException extends RuntimeException {

    public PolicyException(String message) {
        super(message);
    }
}
