package org.govhub.share;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a department's program by its API key ({@code X-Api-Key}, or
 * {@code Authorization: Bearer ghk_...}) for this request only: no session, no cookie. A key that
 * is wrong or revoked is answered 401 at once, never passed on as anonymous.
 */
public class DepartmentKeyFilter extends OncePerRequestFilter {

    public static final String ROLE = "department";
    private final DepartmentAccounts accounts;

    public DepartmentKeyFilter(DepartmentAccounts accounts) {
        this.accounts = accounts;
    }

    /** The key a request carries, or null. */
    public static String presentedKey(HttpServletRequest request) {
        String header = request.getHeader("X-Api-Key");
        if (header != null) {
            return header;
        }
        String authorization = request.getHeader("Authorization");
        return authorization != null && authorization.startsWith("Bearer ghk_") ? authorization.substring(7) : null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = presentedKey(request);
        if (key == null) {
            chain.doFilter(request, response);
            return;
        }
        var caller = accounts.authenticate(key);
        if (caller.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"unknown or revoked API key\"}");
            return;
        }
        var authentication = new UsernamePasswordAuthenticationToken(caller.get().departmentId(), null,
                List.of(new SimpleGrantedAuthority("ROLE_" + ROLE)));
        authentication.setDetails(caller.get());
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
