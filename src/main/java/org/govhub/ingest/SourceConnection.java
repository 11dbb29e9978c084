package org.govhub.ingest;

/**
 * JDBC connection of one departmental database, bound from {@code govhub.sources.<id>.*}.
 * Secrets come from the environment in production; they are never logged.
 */
public record SourceConnection(String url, String username, String password, String driverClassName,
        Integer maxPoolSize) {

    public int poolSizeOrDefault() {
        return maxPoolSize == null ? 2 : maxPoolSize;
    }

    @Override
    public String toString() {
        return "SourceConnection[url=" + url + ", username=" + username + ", password=****]";
    }
}
