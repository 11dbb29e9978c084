package org.govhub.normalise;

/**
 * One broker queue per shared schema: {@code govhub.records.<schema in kebab case>}, e.g.
 * {@code govhub.records.tax-record}. Sources, replays and the batch stage all use this one rule;
 * delivered batches are announced on the topic {@code govhub.delivered.<schema>}.
 */
public final class Queues {

    private Queues() {
    }

    public static String forSchema(String schema) {
        return "govhub.records." + kebab(schema);
    }

    /** The topic on which the manifests of a schema's delivered batches are published. */
    public static String deliveredTopic(String schema) {
        return "govhub.delivered." + kebab(schema);
    }

    private static String kebab(String schema) {
        return schema.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
