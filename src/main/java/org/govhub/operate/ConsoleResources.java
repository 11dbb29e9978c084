package org.govhub.operate;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The operator console's Chinese font: the CJK font the hub bundles for the weekly report
 * ({@code fonts/}, with its licence), so the console's Chinese labels show on a machine with no
 * Chinese font installed. The console's own files are static ({@code static/console/}).
 */
@Configuration
public class ConsoleResources implements WebMvcConfigurer {

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/console/fonts/**").addResourceLocations("classpath:/fonts/").setCachePeriod(24 * 3600);
    }
}
