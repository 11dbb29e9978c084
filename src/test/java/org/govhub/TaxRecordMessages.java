package org.govhub;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.govhub.normalise.RecordNormaliser;
import org.govhub.prioritise.Priority;

/**
 * Puts a canonical TaxRecord on the tax queue with the headers a source's publishing route gives it,
 * so that it competes with what the sources send: on the broker, in batching and in delivery.
 */
public final class TaxRecordMessages {

    private TaxRecordMessages() {
    }

    public static void send(ProducerTemplate producer, String sourceId, String key, int priorityClass, String contentHash) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(RecordNormaliser.H_SCHEMA, "TaxRecord");
        headers.put(RecordNormaliser.H_SCHEMA_VERSION, "1.0.0");
        headers.put(RecordNormaliser.H_SOURCE_ID, sourceId);
        headers.put(RecordNormaliser.H_RECORD_KEY, key);
        headers.put(RecordNormaliser.H_CONTENT_HASH, contentHash);
        headers.put(RecordNormaliser.H_EVENT_TIME, "2020-02-24");
        headers.put(RecordNormaliser.H_PRIORITY_CLASS, priorityClass);
        headers.put(RecordNormaliser.H_JMS_PRIORITY, new Priority(priorityClass, "test").jmsPriority());
        String record = "{\"priority\":{\"class\":" + priorityClass + ",\"rule\":\"test\"},\"provenance\":{\"contentHash\":\""
                + contentHash + "\",\"sourceId\":\"" + sourceId + "\",\"sourceRecordKey\":\"" + key + "\"},\"schema\":\"TaxRecord\"}";
        producer.sendBodyAndHeaders("jms:queue:govhub.records.tax-record?preserveMessageQos=true", record, headers);
    }
}
