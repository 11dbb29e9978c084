package org.govhub.ingest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class IngestConfiguration {

    /** Static: a registry post-processor must exist before ordinary beans are created. */
    @Bean
    public static SourceDataSourceRegistrar sourceDataSourceRegistrar() {
        return new SourceDataSourceRegistrar();
    }
}
