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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.jdbc.JdbcDaoImpl;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Everything but the liveness and readiness probes needs a login. People use a form (Hawtio, the pages);
 * programs use HTTP Basic and get 401, not a redirect. Departments' programs use their API keys
 * and reach only the sharing API and the catalog. Who reaches which path is in {@link AccessRules};
 * accounts are in the hub database (OperatorAccounts). CSRF tokens travel in the XSRF-TOKEN
 * cookie because Hawtio's console sends them back from there on its Jolokia calls. Only a form login
 * opens a session, kept in the hub database by Spring Session JDBC (V21) so that every node knows it;
 * HTTP Basic and API keys log in for one request.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    @Order(10)
    SecurityFilterChain hubSecurity(HttpSecurity http, DepartmentAccounts departments, LoginThrottle throttle,
            LoginEvents logins) throws Exception {
        var api = PathPatternRequestMatcher.withDefaults().matcher("/api/**");
        var actuator = PathPatternRequestMatcher.withDefaults().matcher("/actuator/**");
        var hawtio = PathPatternRequestMatcher.withDefaults().matcher("/actuator/hawtio/**");
        var jolokia = PathPatternRequestMatcher.withDefaults().matcher("/actuator/jolokia/**");
        var hawtioJolokia = PathPatternRequestMatcher.withDefaults().matcher("/actuator/hawtio/jolokia/**");
        var csrfTokens = CookieCsrfTokenRepository.withHttpOnlyFalse(); // Hawtio reads it to send X-XSRF-TOKEN
        // SameSite=Strict: another site's page cannot make the browser send it (Secure follows request.isSecure())
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));
        http.authorizeHttpRequests(auth -> {
                    auth.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
                    AccessRules.apply(auth);
                })
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
                .addFilterBefore(throttle.filter(logins), UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(new DepartmentKeyFilter(departments), BasicAuthenticationFilter.class)
                .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
        return http.build();
    }

    /** Operator accounts as Spring Security reads them: one role each, disabled ones refused. */
    @Bean
    UserDetailsService operatorUsers(JdbcTemplate hubDatabase, OperatorAccounts accounts) {
        JdbcDaoImpl users = new JdbcDaoImpl();
        users.setJdbcTemplate(hubDatabase);
        users.setUsersByUsernameQuery("SELECT username, password_hash, enabled FROM operator_account WHERE username = ?");
        users.setAuthoritiesByUsernameQuery("SELECT username, roles FROM operator_account WHERE username = ?");
        users.setRolePrefix("ROLE_");
        return users;
    }

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.fromHierarchy(Roles.HIERARCHY);
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
