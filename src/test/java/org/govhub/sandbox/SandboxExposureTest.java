package org.govhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Nothing committed grants access to the sandbox, and it answers callers on this machine only. */
class SandboxExposureTest {

    @TempDir
    Path dir;

    @Test
    void credentialsAreGeneratedAtFirstStartKeptOwnerOnlyAndStable() throws Exception {
        Map<String, String> first = SandboxCredentials.of(dir);
        assertThat(first.keySet()).containsAll(SandboxCredentials.GENERATED);
        first.values().forEach(v -> assertThat(v).matches("[0-9a-f]{36}"));
        assertThat(first.values()).doesNotHaveDuplicates();

        Path file = dir.resolve(SandboxCredentials.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties saved = new Properties();
        saved.load(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        SandboxCredentials.GENERATED.forEach(key -> assertThat(saved.getProperty(key)).isEqualTo(first.get(key)));

        // another data directory, another sandbox: other credentials
        Map<String, String> other = SandboxCredentials.of(Files.createDirectory(dir.resolve("other")));
        SandboxCredentials.GENERATED.forEach(key -> assertThat(other.get(key)).isNotEqualTo(first.get(key)));
    }

    @Test
    void theCommittedConfigurationHoldsNoSandboxCredential() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));
        Properties committed = yaml.getObject();
        assertThat(committed).containsEntry("govhub.sandbox.enabled", true);
        SandboxCredentials.GENERATED.forEach(key -> assertThat(committed).doesNotContainKey(key));
        assertThat(committed.getProperty("server.address")).isEqualTo("${GOVHUB_SERVER_ADDRESS:127.0.0.1}");
    }

    @Test
    void theSandboxRefusesCallersFromOtherMachines() throws Exception {
        for (String address : new String[] {"192.0.2.7", "10.1.2.3", "2001:db8::1"}) {
            assertThat(answer(address).getStatus()).as(address).isEqualTo(403);
        }
        for (String address : new String[] {"127.0.0.1", "127.0.1.1", "0:0:0:0:0:0:0:1"}) {
            assertThat(answer(address).getStatus()).as(address).isEqualTo(200);
        }
    }

    private static MockHttpServletResponse answer(String remoteAddress) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/sandbox/platform/api/v1/status");
        request.setRemoteAddr(remoteAddress);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new LoopbackOnly().doFilter(request, response, new MockFilterChain());
        return response;
    }
}
