package org.govhub.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code govhub.sandbox.hrss.port=0} means "any free port" (as {@code server.port=0} does): the
 * port is chosen before the configuration is read, so that the sandbox FTP server and the sources
 * that connect to it ({@code ${govhub.sandbox.hrss.port}}) agree. Tests use it to run several hubs
 * in one JVM.
 */
public class SandboxPorts implements EnvironmentPostProcessor {

    static final String HRSS_PORT = "govhub.sandbox.hrss.port";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!"0".equals(environment.getProperty(HRSS_PORT))) {
            return;
        }
        environment.getPropertySources().addFirst(new MapPropertySource("govhub-sandbox-ports",
                Map.of(HRSS_PORT, Integer.toString(freePort()))));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
