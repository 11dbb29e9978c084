package org.govhub.sandbox;

import jakarta.annotation.PreDestroy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The simulated HRSS FTP server (Apache MINA FtpServer on 127.0.0.1): the city bureaus' drop
 * folder {@code city/} and the county offices' {@code county/}. On first start it drops generated
 * GBK exports through a real FTP client, keeping the upload contracts the hub relies on: city files
 * with a {@code .done} marker after the data, county files uploaded as {@code .part} and renamed.
 * The hub reads them like any departmental FTP server, through {@code govhub.sources.<id>.ftp}.
 */
@Component
@ConditionalOnSandbox
public class HrssFtpSandbox {

    private static final Logger log = LoggerFactory.getLogger(HrssFtpSandbox.class);

    /** A generated file: the source that reads it, its folder and name, its bytes and rows. */
    public record Drop(String sourceId, String directory, String name, byte[] content,
            List<SocialInsuranceGenerator.Row> rows, boolean doneMarker) {
    }

    private final SandboxProperties.Hrss config;
    private final Path home;
    private final FtpServer server;
    private final List<Drop> drops;
    private final SandboxProperties.DrcMiit drcMiit;
    private final Path drcMiitHome;
    private UserManager userManager;

    public HrssFtpSandbox(SandboxProperties properties, RegionCodes regionCodes) throws Exception {
        this.config = properties.hrss();
        this.home = Path.of(config.home()).toAbsolutePath().normalize();
        for (String folder : new String[] {"city", "city/done", "city/error", "county", "county/done", "county/error"}) {
            Files.createDirectories(home.resolve(folder));
        }
        this.drcMiit = properties.drcMiit();
        this.drcMiitHome = drcMiit.home() == null ? home.resolveSibling("drc-miit-ftp")
                : Path.of(drcMiit.home()).toAbsolutePath().normalize();
        Files.createDirectories(drcMiitHome);
        this.drops = generate(config, regionCodes);
        this.server = start(config, home);
        Path marker = home.resolveSibling(home.getFileName() + ".dropped");
        if (config.dropFiles() && !Files.exists(marker)) {
            for (Drop d : drops) {
                upload(config.port(), config.username(), config.password(), d.directory(), d.name(), d.content(), d.doneMarker());
            }
            Files.writeString(marker, "files dropped at " + Instant.now() + "\n");
            long invalid = drops.stream().flatMap(d -> d.rows().stream()).filter(r -> r.defect() != null).count();
            log.info("sandbox HRSS FTP server: {} files dropped ({} rows, {} deliberately invalid)", drops.size(),
                    drops.stream().mapToInt(d -> d.rows().size()).sum(), invalid);
        }
    }

    static List<Drop> generate(SandboxProperties.Hrss config, RegionCodes regions) {
        SocialInsuranceGenerator g = new SocialInsuranceGenerator(config.seed(), config.invalidEvery());
        List<Drop> drops = new ArrayList<>();
        // city bureaus: GBK CSV, .done marker
        String[][] cities = {{"南昌", "3601", "202002"}, {"南昌", "3601", "202003"}, {"九江", "3604", "202002"}};
        for (String[] c : cities) {
            List<SocialInsuranceGenerator.Row> rows = g.rows(c[0], regions.countiesUnder(c[1]), c[2], config.units());
            String name = "社保缴费_" + c[2].substring(0, 4) + "年" + c[2].substring(4) + "月_" + c[0] + ".csv";
            drops.add(new Drop("social-insurance", "city", name, SocialInsuranceGenerator.csv(rows), rows, true));
        }
        // a county office (瑞金市): fixed-width GBK, uploaded as .part and renamed
        for (String period : new String[] {"202002", "202003"}) {
            List<SocialInsuranceGenerator.Row> rows = g.rows("瑞金", List.of("360781"), period, config.units());
            String name = "SB_DWJF_360781_" + period + ".txt";
            drops.add(new Drop("social-insurance-county", "county", name,
                    SocialInsuranceGenerator.fixedWidth("瑞金市社会保险事业管理局 单位缴费明细 " + period, rows), rows, false));
        }
        return List.copyOf(drops);
    }

    private FtpServer start(SandboxProperties.Hrss config, Path home) throws FtpException {
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(config.port());
        listener.setIdleTimeout(120);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener("default", listener.createListener());

        PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
        users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
        UserManager userManager = users.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(config.username());
        user.setPassword(config.password());
        user.setHomeDirectory(home.toString());
        user.setAuthorities(List.<Authority>of(new WritePermission(), new ConcurrentLoginPermission(50, 50)));
        userManager.save(user);
        this.userManager = userManager;
        drcMiitLogin(true); // the weekly reports' drop for the provincial DRC/MIIT, its own folder
        factory.setUserManager(userManager);

        FtpServer server = factory.createServer();
        server.start();
        log.info("sandbox HRSS FTP server listening on 127.0.0.1:{}, home {}", config.port(), home);
        return server;
    }

    /** (Re)creates the DRC/MIIT login; without write permission every upload fails (to try failed deliveries). */
    public void drcMiitLogin(boolean writable) throws FtpException {
        BaseUser user = new BaseUser();
        user.setName(drcMiit.username());
        user.setPassword(drcMiit.password());
        user.setHomeDirectory(drcMiitHome.toString());
        user.setAuthorities(writable ? List.<Authority>of(new WritePermission(), new ConcurrentLoginPermission(10, 10))
                : List.<Authority>of(new ConcurrentLoginPermission(10, 10)));
        userManager.save(user);
    }

    /**
     * (Re)creates a login on the HRSS folders, as an office with its own account has: until it
     * exists, that account's logins are refused (to try a source whose polls fail).
     */
    public void hrssLogin(String username, String password) throws FtpException {
        BaseUser user = new BaseUser();
        user.setName(username);
        user.setPassword(password);
        user.setHomeDirectory(home.toString());
        user.setAuthorities(List.<Authority>of(new WritePermission(), new ConcurrentLoginPermission(10, 10)));
        userManager.save(user);
    }

    /** The DRC/MIIT drop folder (the weekly reports arrive in reports/{reportId}/). */
    public Path drcMiitHome() {
        return drcMiitHome;
    }

    @PreDestroy
    void stop() {
        server.stop();
    }

    /**
     * Uploads a file the way the departments do: the data and then an empty {@code <name>.done}
     * marker, or (without a marker) as {@code <name>.part} renamed to its name once complete.
     */
    public static void upload(int port, String username, String password, String directory, String name, byte[] content,
            boolean doneMarker) throws IOException {
        FTPClient client = connect(port, username, password);
        try {
            String path = directory + "/" + name;
            if (doneMarker) {
                store(client, path, content);
                store(client, path + ".done", new byte[0]);
            } else {
                store(client, path + ".part", content);
                if (!client.rename(path + ".part", path)) {
                    throw new IOException("cannot rename " + path + ".part: " + client.getReplyString());
                }
            }
        } finally {
            client.logout();
            client.disconnect();
        }
    }

    /** A logged-in client in binary passive mode, UTF-8 on the control channel (Chinese file names). */
    public static FTPClient connect(int port, String username, String password) throws IOException {
        FTPClient client = new FTPClient();
        client.setControlEncoding(StandardCharsets.UTF_8.name());
        client.setConnectTimeout(5000);
        client.setDefaultTimeout(10000);
        client.connect("127.0.0.1", port);
        if (!FTPReply.isPositiveCompletion(client.getReplyCode()) || !client.login(username, password)) {
            String reply = client.getReplyString();
            client.disconnect();
            throw new IOException("sandbox FTP login failed: " + reply);
        }
        client.enterLocalPassiveMode();
        client.setFileType(FTP.BINARY_FILE_TYPE);
        return client;
    }

    private static void store(FTPClient client, String path, byte[] content) throws IOException {
        if (!client.storeFile(path, new ByteArrayInputStream(content))) {
            throw new IOException("cannot store " + path + ": " + client.getReplyString());
        }
    }

    /** Every file this sandbox generated (dropped on first start), with the defects it put in. */
    public List<Drop> drops() {
        return drops;
    }

    public Path home() {
        return home;
    }

    public int port() {
        return config.port();
    }

    public String username() {
        return config.username();
    }

    public String password() {
        return config.password();
    }
}
