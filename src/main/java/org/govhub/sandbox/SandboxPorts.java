package org.govhub.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
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

    /** The lowest port handed out; the range ends below the kernel's ephemeral ports. */
    private static final int LOWEST = 20000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!"0".equals(environment.getProperty(HRSS_PORT))) {
            return;
        }
        environment.getPropertySources().addFirst(new MapPropertySource("govhub-sandbox-ports",
                Map.of(HRSS_PORT, Integer.toString(freePort()))));
    }

    /**
     * A port free now that a server will bind a moment later. It is taken below the kernel's
     * ephemeral range: a port the kernel handed out (bind to 0) is released when checked and may be
     * handed out again at once, to an FTP passive data connection or a client socket, before the
     * server binds it. Never the same port twice in one JVM.
     */
    public static int freePort() {
        int below = ephemeralLow();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + below);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port)); // the wildcard address: free on every interface
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The start of the kernel's ephemeral port range (Linux), 32768 where it cannot be read. Read by
     * lines: Files.readString of a /proc/sys file returns only its first byte.
     */
    private static int ephemeralLow() {
        try {
            int low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
