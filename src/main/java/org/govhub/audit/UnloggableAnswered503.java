package org.govhub.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request whose exchange log entry could not be written where no controller advice sees it (a
 * login, inside the security filters) is answered 503 like the others, not 500. Ahead of the
 * security filter chain (order -100), so it wraps it.
 */
@Component
@Order(-200)
public class UnloggableAnswered503 extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!causedByUnloggable(e) || response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"the exchange log cannot be written, so the request was not served\"}");
        }
    }

    private static boolean causedByUnloggable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExchangeLog.Unavailable) {
                return true;
            }
        }
        return false;
    }
}
