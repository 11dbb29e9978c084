package org.govhub.ingest;

/**
 * Connection of one departmental source, bound from {@code govhub.sources.<id>.*}: a database
 * ({@code url}, {@code username}, ...), a file drop ({@code ftp.*}) or a REST API ({@code base-url}
 * and the settings of routes/rest-source.kamelet.yaml). Secrets come from the
 * environment in production; they are never logged.
 */
public record SourceConnection(String url, String username, String password, String driverClassName,
        Integer maxPoolSize, FtpConnection ftp, String baseUrl) {

    public int poolSizeOrDefault() {
        return maxPoolSize == null ? 2 : maxPoolSize;
    }

    /** A database source: its url is a JDBC url. */
    public boolean jdbc() {
        return url != null && url.strip().startsWith("jdbc:");
    }

    /** A REST source: it has a base URL. */
    public boolean rest() {
        return baseUrl != null && !baseUrl.isBlank();
    }

    @Override
    public String toString() {
        return "SourceConnection[url=" + url + ", username=" + username + ", password=****, ftp=" + ftp + ", baseUrl=" + baseUrl + "]";
    }
}
