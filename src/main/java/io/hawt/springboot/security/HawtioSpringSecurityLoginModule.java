package io.hawt.springboot.security;

import io.hawt.web.auth.AuthenticationConfiguration;
import io.hawt.web.auth.RolePrincipal;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Bridge from Spring Security to Hawtio's role check. hawtio-springboot 5.2.0 switches to Spring
 * Security mode when a class of exactly this name is present (its own module for it is not
 * published in the repositories this project can use). Hawtio runs Spring's
 * {@code SecurityContextLoginModule} first; this module then gives the subject one Hawtio role
 * principal per Spring authority, {@code ROLE_} prefix removed, so {@code hawtio.roles} applies.
 */
public class HawtioSpringSecurityLoginModule implements LoginModule {

    private Subject subject;
    private AuthenticationConfiguration configuration;
    private final List<Principal> added = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
            Map<String, ?> options) {
        this.subject = subject;
        Object config = options.get(AuthenticationConfiguration.class.getName());
        this.configuration = config instanceof AuthenticationConfiguration c ? c : null;
    }

    @Override
    public boolean login() throws LoginException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.isAuthenticated();
    }

    @Override
    public boolean commit() throws LoginException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null) {
            return false;
        }
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            String name = authority.getAuthority();
            if (name != null && name.startsWith("ROLE_")) {
                Principal role = rolePrincipal(name.substring("ROLE_".length()));
                added.add(role);
                subject.getPrincipals().add(role);
            }
        }
        return true;
    }

    private Principal rolePrincipal(String role) throws LoginException {
        Class<? extends Principal> type = configuration == null ? null : configuration.getDefaultRolePrincipalClass();
        if (type == null) {
            return new RolePrincipal(role);
        }
        try {
            return type.getConstructor(String.class).newInstance(role);
        } catch (ReflectiveOperationException e) {
            LoginException le = new LoginException("cannot create role principal " + type.getName());
            le.initCause(e);
            throw le;
        }
    }

    @Override
    public boolean abort() {
        return logout();
    }

    @Override
    public boolean logout() {
        if (subject != null) {
            subject.getPrincipals().removeAll(added);
        }
        added.clear();
        return true;
    }
}
