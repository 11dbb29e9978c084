package org.govhub;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * A real FTP server on a free port of 127.0.0.1 with one login, for tests of what the hub reads from
 * or writes to an FTP drop. It keeps every command it was given, for tests of how files are sent.
 */
public final class EmbeddedFtpServer {

    private final FtpServer server;
    private final int port;
    private final List<String> commands = new CopyOnWriteArrayList<>();

    private EmbeddedFtpServer(Path home, String username, String password, boolean writable) throws Exception {
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(0); // MINA binds a free port and tells it after start
        Listener bound = listener.createListener();
        factory.addListener("default", bound);
        PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
        users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
        var userManager = users.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(username);
        user.setPassword(password);
        user.setHomeDirectory(home.toString());
        if (writable) {
            user.setAuthorities(List.of(new WritePermission()));
        }
        userManager.save(user);
        factory.setUserManager(userManager);
        factory.setFtplets(new HashMap<>(Map.of("record", new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
                commands.add(request.getCommand() + " " + request.getArgument());
                return super.beforeCommand(session, request);
            }
        })));
        server = factory.createServer();
        server.start();
        port = bound.getPort();
    }

    /** {@code writable}: whether the login may store, rename and delete files (a drop the hub delivers to) or only read them. */
    public static EmbeddedFtpServer start(Path home, String username, String password, boolean writable) throws Exception {
        return new EmbeddedFtpServer(home, username, password, writable);
    }

    public int port() {
        return port;
    }

    /** Every command given so far, as "COMMAND argument" (argument null when there was none); the test may clear it. */
    public List<String> commands() {
        return commands;
    }

    public void stop() {
        server.stop();
    }
}
