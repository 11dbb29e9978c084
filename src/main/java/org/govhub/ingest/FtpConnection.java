package org.govhub.ingest;

/**
 * FTP server of one file-drop source, bound from {@code govhub.sources.<id>.ftp.*} and used by the
 * source's route file through property placeholders. Secrets come from the environment in
 * production; they are never logged.
 */
public record FtpConnection(String host, Integer port, String username, String password, String directory) {

    public int portOrDefault() {
        return port == null ? 21 : port;
    }

    @Override
    public String toString() {
        return "FtpConnection[host=" + host + ", port=" + port + ", username=" + username + ", password=****, directory="
                + directory + "]";
    }
}
