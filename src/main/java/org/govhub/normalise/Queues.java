package org.govhub.normalise;

/**
 * One broker queue per shared schema: {@code govhub.records.<schema in kebab case>}, e.g.
 * {@code govhub.records.tax-record}. Sources, replays and the batch stage all use this one rule.
 */
public final class Queues {

    private Queues() {
    }

    public static String forSchema(String schema) {
        return "govhub.records." + schema.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
