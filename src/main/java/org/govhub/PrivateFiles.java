package org.govhub;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files only the hub's user may read: the keys it generates. */
public final class PrivateFiles {

    private PrivateFiles() {
    }

    /**
     * Creates {@code path} (and its folders) rw------- before a byte is written, so the content is
     * never readable by others, not even briefly; fails if it is already there.
     */
    public static void create(Path path, byte[] content) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(path);
        }
        Files.write(path, content);
    }
}
