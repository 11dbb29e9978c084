package org.govhub.normalise;

import java.util.List;

/** A mapping file that cannot be used. The message names the file, the line and every problem found. */
public class MappingException extends RuntimeException {

    private final List<String> problems;

    public MappingException(String file, List<String> problems) {
        super("mapping file " + file + " is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Problems found across several files, each problem already naming its file. */
    public MappingException(List<String> problems) {
        super("mapping files are invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
