package org.govhub.batch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a batch closes: at {@code maxRecords} records or when its first record is {@code maxAge}
 * old, whichever comes first.
 */
@ConfigurationProperties("govhub.batch")
public record BatchProperties(@DefaultValue("500") int maxRecords, @DefaultValue("10s") Duration maxAge) {

    public BatchProperties {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("govhub.batch.max-records must be at least 1");
        }
    }
}
