package org.govhub.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every state-changing call of the API (anything but GET, HEAD, OPTIONS under {@code /api/}):
 * quarantine correction and replay, re-send, accepted identifiers, source marks, grants, approvals,
 * revocations, accounts... is logged before it runs (who, what, the SHA-256 of the request body) and
 * again with its HTTP status after. If the first entry cannot be written the call is answered 503
 * and not run. Registered by Spring Boot after the security filter chain, so the caller is known
 * and refused calls never get here.
 */
@Component
public class ApiActionsFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ApiActionsFilter.class);
    private static final Pattern BATCH = Pattern.compile("/batches/([^/]+)");

    private final ExchangeLog exchangeLog;

    public ApiActionsFilter(ExchangeLog exchangeLog) {
        this.exchangeLog = exchangeLog;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String method = request.getMethod();
        return !request.getRequestURI().startsWith(request.getContextPath() + "/api/")
                || "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }

    /** Bodies that may carry a password or key are not hashed: a hash of a short secret can be guessed back. */
    static boolean mayCarrySecret(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.contains("/accounts") || p.contains("password") || p.contains("secret") || p.contains("/keys")
                // a source's upload carries its connection settings (operate/SourceDeployments logs the files' hash itself)
                || p.matches(".*/sources/[^/]+/versions/?");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        String actor = caller == null ? "anonymous" : caller.getName();
        String department = caller != null && caller.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + org.govhub.operate.Roles.DEPARTMENT)) ? actor : null;
        Matcher batch = BATCH.matcher(path);
        String batchId = batch.find() ? batch.group(1) : null;
        String action = "api " + request.getMethod();
        HttpServletRequest toRun = request;
        String payloadSha256 = null;
        String contentType = String.valueOf(request.getContentType()).toLowerCase(Locale.ROOT);
        // form bodies are read as parameters by the container, so they are left unread here
        if (!mayCarrySecret(path) && !contentType.startsWith("application/x-www-form-urlencoded") && !contentType.startsWith("multipart/")) {
            byte[] body = request.getInputStream().readAllBytes();
            payloadSha256 = body.length == 0 ? null : ExchangeLog.sha256(body);
            toRun = new ReadAgain(request, body);
        }
        try {
            exchangeLog.append(new ExchangeLog.Event(actor, action, path, department, batchId, payloadSha256, "attempt"));
        } catch (ExchangeLog.Unavailable e) {
            log.error("{} {} by {} refused: {}", request.getMethod(), path, actor, e.getMessage());
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"the exchange log cannot be written, so the action was not performed\"}");
            return;
        }
        String outcome = null;
        try {
            chain.doFilter(toRun, response);
            outcome = "answered " + response.getStatus();
        } catch (IOException | ServletException | RuntimeException e) {
            outcome = "failed: " + e.getClass().getSimpleName();
            throw e;
        } finally {
            try {
                exchangeLog.append(new ExchangeLog.Event(actor, action, path, department, batchId, null, outcome));
            } catch (ExchangeLog.Unavailable e) {
                // the action is done and cannot be undone; its attempt is logged, its outcome is not
                log.error("{} {} by {}: outcome '{}' could not be logged: {}", request.getMethod(), path, actor, outcome, e.getMessage());
            }
        }
    }

    /** The request with its body read once, for hashing, and handed on unchanged. */
    private static final class ReadAgain extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadAgain(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
