package org.govhub.audit;

import org.govhub.operate.Roles;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Every login, successful or not (form and HTTP Basic alike), goes to the exchange log: the name
 * given and the outcome, never the password. A login whose entry cannot be written fails.
 */
@Component
public class LoginEvents {

    private final ExchangeLog exchangeLog;

    public LoginEvents(ExchangeLog exchangeLog) {
        this.exchangeLog = exchangeLog;
    }

    @EventListener
    public void succeeded(AuthenticationSuccessEvent event) {
        Authentication who = event.getAuthentication();
        boolean department = who.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_" + Roles.DEPARTMENT));
        exchangeLog.append(new ExchangeLog.Event(who.getName(), "login", "hub", department ? who.getName() : null, null, null,
                "success"));
    }

    @EventListener
    public void failed(AbstractAuthenticationFailureEvent event) {
        exchangeLog.append(new ExchangeLog.Event(String.valueOf(event.getAuthentication().getName()), "login", "hub", null, null,
                null, "refused: " + event.getException().getClass().getSimpleName()));
    }
}
