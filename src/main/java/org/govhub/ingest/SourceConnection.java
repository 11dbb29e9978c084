package org.govhub.ingest;

/**
 * Connection of one departmental source, bound from {@code govhub.sources.<id>.*}: a database
 * ({@code url}, {@code username}, ...) or a file drop ({@code ftp.*}). Secrets come from the
 * environment in production; they are never logged.
 */
public record SourceConnection(String url, String username, String password, String driverClassName,
        Integer maxPoolSize, FtpConnection ftp) {

    public int poolSizeOrDefault() {
        return maxPoolSize == null ? 2 : maxPoolSize;
    }

    /** A database source: it has a JDBC url. */
    public boolean jdbc() {
        return url != null && !url.isBlank();
    }

    @Override
    public String toString() {
        return "SourceConnection[url=" + url + ", username=" + username + ", password=****, ftp=" + ftp + "]";
    }
}
