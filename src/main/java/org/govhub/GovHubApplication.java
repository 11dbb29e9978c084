package org.govhub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * GovHub: pulls departmental records (tax, filings, social insurance, credit), normalises them
 * into shared schemas, batches them and shares mature batches with the national platform.
 *
 * <p>Pipeline stages are packages: {@code ingest} → {@code normalise} → {@code batch} →
 * {@code deliver}; {@code operate} holds what operators use (security, health, admin API);
 * {@code sandbox} simulates the departmental systems and the platform for local runs.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GovHubApplication {

    public static void main(String[] args) {
        SpringApplication.run(GovHubApplication.class, args);
    }
}
