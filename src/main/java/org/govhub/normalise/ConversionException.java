package org.govhub.normalise;

/** A source value that a converter cannot turn into its canonical form; becomes a quarantine reason. */
public class ConversionException extends RuntimeException {

    public ConversionException(String message) {
        super(message);
    }
}
