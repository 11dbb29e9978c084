package org.govhub.sandbox;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The simulated systems answer callers on this machine only, whatever interface the hub itself
 * listens on: they hold made-up data and made-up credentials, and are never a service to others.
 */
public class LoopbackOnly extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!isLoopback(request.getRemoteAddr())) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "the sandbox answers on this machine only");
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean isLoopback(String address) {
        try {
            // the servlet container gives a numeric address, so this never asks DNS
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
