package org.govhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A port handed out for a server started later is one the kernel does not hand out by itself: a
 * port from bind-to-0 can go to an FTP data connection or a client socket before the sandbox FTP
 * server binds it, which failed a hub's start in CI.
 */
class SandboxPortsTest {

    @Test
    void portsAreFreeBelowTheEphemeralRangeAndNeverHandedOutTwice() throws Exception {
        int ephemeralLow = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int port = SandboxPorts.freePort();
            assertThat(port).isBetween(20000, ephemeralLow - 1);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aPortInUseIsNotHandedOut() throws Exception {
        // hold many ports of the range: none of them may come back
        Set<Integer> held = new HashSet<>();
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int port = 20000; port < 20000 + 2000; port++) {
                try {
                    sockets.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
                    held.add(port);
                } catch (IOException taken) {
                    // in use already: not handed out either way
                }
            }
            for (int i = 0; i < 200; i++) {
                assertThat(held).doesNotContain(SandboxPorts.freePort());
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
