package org.govhub.prioritise;

/**
 * A record's priority class (1 most urgent … 4 closed venues, last) and the id of the rule in
 * {@code rules/priority-classes.yaml} that gave it.
 */
public record Priority(int priorityClass, String rule) {

    /** The JMS priority carrying the class through the broker: 9 for class 1 down to 1 for class 4. */
    public int jmsPriority() {
        return switch (priorityClass) {
            case 1 -> 9;
            case 2 -> 7;
            case 3 -> 4;
            default -> 1;
        };
    }
}
