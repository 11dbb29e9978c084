package org.govhub;

import org.apache.camel.ProducerTemplate;
import org.govhub.normalise.RecordPage;

/**
 * Puts a canonical TaxRecord on the tax queue as a page of one record, as a source's publishing route
 * sends it, so that it competes with what the sources send: on the broker, in batching and in delivery.
 */
public final class TaxRecordMessages {

    private TaxRecordMessages() {
    }

    public static void send(ProducerTemplate producer, String sourceId, String key, int priorityClass, String contentHash) {
        String record = "{\"priority\":{\"class\":" + priorityClass + ",\"rule\":\"test\"},\"provenance\":{\"contentHash\":\""
                + contentHash + "\",\"sourceId\":\"" + sourceId + "\",\"sourceRecordKey\":\"" + key + "\"},\"schema\":\"TaxRecord\"}";
        RecordPage.Kind kind = new RecordPage.Kind(sourceId, "TaxRecord", "1.0.0", priorityClass);
        producer.sendBodyAndHeaders("jms:queue:govhub.records.tax-record?preserveMessageQos=true",
                RecordPage.of(kind, new RecordPage.Entry(key, contentHash, "2020-02-24", null, record)), kind.headers(1));
    }
}
