package org.govhub.operate;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.govhub.share.DepartmentAccounts;
import org.govhub.share.DepartmentKeyFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Everything but the liveness probe needs a login. People use a form (Hawtio, the pages);
 * programs use HTTP Basic and get 401, not a redirect. Departments' programs use their API keys
 * and reach only the sharing API and the catalog. CSRF tokens travel in the XSRF-TOKEN
 * cookie because Hawtio's console sends them back from there on its Jolokia calls.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    public static final String OPERATOR_ROLE = "admin";

    @Bean
    @Order(10)
    SecurityFilterChain hubSecurity(HttpSecurity http, DepartmentAccounts departments) throws Exception {
        var api = PathPatternRequestMatcher.withDefaults().matcher("/api/**");
        var actuator = PathPatternRequestMatcher.withDefaults().matcher("/actuator/**");
        var hawtio = PathPatternRequestMatcher.withDefaults().matcher("/actuator/hawtio/**");
        var jolokia = PathPatternRequestMatcher.withDefaults().matcher("/actuator/jolokia/**");
        var hawtioJolokia = PathPatternRequestMatcher.withDefaults().matcher("/actuator/hawtio/jolokia/**");
        // the consoles open to the roles Hawtio serves; what each may do there is JolokiaAccessRestrictor's
        var consoleRoles = new String[] {Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER};
        var csrfTokens = CookieCsrfTokenRepository.withHttpOnlyFalse(); // Hawtio reads it to send X-XSRF-TOKEN
        // SameSite=Strict: another site's page cannot make the browser send it (Secure follows request.isSecure())
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));
        http.authorizeHttpRequests(auth -> auth
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health/liveness").permitAll()
                        .requestMatchers(jolokia, hawtio).hasAnyRole(consoleRoles)
                        // a department reaches its own sharing API and the catalog, nothing else
                        .requestMatchers("/api/share/**").hasRole(DepartmentKeyFilter.ROLE)
                        .requestMatchers("/api/catalog", "/api/catalog/**", "/catalog")
                                .hasAnyRole(OPERATOR_ROLE, DepartmentKeyFilter.ROLE)
                        .anyRequest().hasRole(OPERATOR_ROLE))
                .formLogin(Customizer.withDefaults())
                // Basic credentials are accepted but never asked for (no WWW-Authenticate), so a
                // browser never caches them and cannot replay them on a forged request.
                .httpBasic(basic -> basic.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                .exceptionHandling(e -> e
                        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), api)
                        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
                                request -> actuator.matches(request) && !hawtio.matches(request)))
                .csrf(csrf -> csrf
                        // Programs calling the admin API send Basic credentials themselves; browsers
                        // never hold those for this site (no WWW-Authenticate challenge), so a
                        // forged cross-site request cannot carry them.
                        .ignoringRequestMatchers(request -> (api.matches(request) || jolokia.matches(request)
                                        || hawtioJolokia.matches(request))
                                && (String.valueOf(request.getHeader("Authorization")).startsWith("Basic ")
                                        || DepartmentKeyFilter.presentedKey(request) != null))
                        .csrfTokenRepository(csrfTokens)
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler()))
                .addFilterBefore(new DepartmentKeyFilter(departments), BasicAuthenticationFilter.class)
                .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    /** Loads the deferred CSRF token on every request so that the cookie is always issued. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
