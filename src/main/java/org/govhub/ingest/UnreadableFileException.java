package org.govhub.ingest;

/**
 * A dropped file that cannot be read as a whole: wrong encoding, binary content, a layout that
 * does not match the mapping. The file goes to the error folder with this message beside it.
 * (A single bad row is not this: it is rejected on its own and the rest of the file is read.)
 */
public class UnreadableFileException extends RuntimeException {

    public UnreadableFileException(String message) {
        super(message);
    }
}
