package org.govhub.normalise;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad mapping file at start-up into a plain message instead of a stack trace. */
public class MappingFailureAnalyzer extends AbstractFailureAnalyzer<MappingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MappingException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Correct the mapping file(s) named above and start again. Each problem gives the file and line.", cause);
    }
}
