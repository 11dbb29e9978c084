package org.govhub.sandbox;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The simulated systems' machine APIs authenticate callers themselves, with the credential a real
 * system would issue (the national platform's and the provincial platform's bearer tokens, the
 * credit portal's API key, the departments' webhook signatures), so the hub's operator login does
 * not apply to them. Every sandbox path, pages included, answers loopback callers only.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSandbox
public class SandboxSecurityConfiguration {

    @Bean
    @Order(1)
    SecurityFilterChain sandboxPlatformApi(HttpSecurity http) throws Exception {
        http.securityMatcher("/sandbox/platform/api/**", "/sandbox/provincial-platform/api/**",
                        "/sandbox/credit-portal/api/**", "/sandbox/departments/*/webhook")
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    FilterRegistrationBean<LoopbackOnly> sandboxOnLoopbackOnly() {
        FilterRegistrationBean<LoopbackOnly> registration = new FilterRegistrationBean<>(new LoopbackOnly());
        registration.addUrlPatterns("/sandbox/*", "/api/sandbox/*");
        // before Spring Security: a caller from elsewhere learns nothing, not even that a login exists
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
