package org.govhub.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which files of a drop folder the hub takes now, and why it leaves each other one waiting: the one
 * place that decides it, from the source's upload contract (routes/ftp-source.kamelet.yaml). Every file of
 * the folder gets a verdict, so none stays unseen:
 * <ul>
 * <li>a {@code .tmp}/{@code .part} name is an upload in progress, in either contract;</li>
 * <li>with done markers ({@code doneFileName}, e.g. {@code ${file:name}.done}): a file is taken once
 * its marker is there; a marker belongs to its file (the consumer deletes it when the file is
 * taken); a marker without its file, or the marker of a marker, waits;</li>
 * <li>with the rename contract, a {@code .done} file is a marker this source does not use: it waits;</li>
 * <li>a name that does not match the source's {@code fileNames} pattern waits;</li>
 * <li>a name Camel reserves for its own locks ({@code .camelLock}) waits: Camel would skip it unseen;
 * so does, with done markers, a name holding {@code ${}: Camel's marker check would fail on it.</li>
 * </ul>
 * Names starting with dots, with spaces, in Chinese are files like any other. An empty file is taken
 * (and goes to the error folder as empty).
 */
public final class DropFolderRules {

    /** What the hub does with one file now: take it, keep it as its file's marker, or leave it waiting (with why). */
    public record Verdict(boolean take, boolean marker, String waiting) {
        static final Verdict TAKE = new Verdict(true, false, null);
        static final Verdict MARKER = new Verdict(false, true, null);

        static Verdict waiting(String reason) {
            return new Verdict(false, false, reason);
        }
    }

    private final Function<String, String> markerOf;
    private final Predicate<String> isMarker;
    private final Pattern fileNames;

    /**
     * @param markerOf  a file's done-marker name, or null for the rename contract
     * @param isMarker  whether a name is a done marker (ignored in the rename contract)
     * @param fileNames the pattern the department's file names match, or null for any name
     */
    public DropFolderRules(Function<String, String> markerOf, Predicate<String> isMarker, Pattern fileNames) {
        this.markerOf = markerOf;
        this.isMarker = isMarker;
        this.fileNames = fileNames;
    }

    /** A verdict for every file of one look at the folder (names of files, not folders). */
    public Map<String, Verdict> judge(Collection<String> names) {
        Map<String, String> fileOfMarker = new HashMap<>();
        if (markerOf != null) {
            for (String name : names) {
                if (!isMarker.test(name) && !expression(name)) {
                    fileOfMarker.put(markerOf.apply(name), name);
                }
            }
        }
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (String name : names) {
            verdicts.put(name, judge(name, names, fileOfMarker));
        }
        return verdicts;
    }

    private Verdict judge(String name, Collection<String> names, Map<String, String> fileOfMarker) {
        if (markerOf != null && expression(name)) {
            return Verdict.waiting("its name holds '${', which the FTP consumer's done-marker check reads as the start of an"
                    + " expression: rename it");
        }
        if (name.endsWith(".camelLock")) {
            return Verdict.waiting("its name ends in .camelLock, which the hub's FTP client keeps for its own lock files: rename it");
        }
        if (temporary(name)) {
            return Verdict.waiting("an upload in progress (" + name.substring(name.lastIndexOf('.')) + "): taken once it is renamed"
                    + " to its final name" + (markerOf == null ? "" : " and its done marker is there"));
        }
        if (markerOf == null) {
            if (name.toLowerCase(Locale.ROOT).endsWith(".done")) {
                return Verdict.waiting("a done marker, but this source's files are not marked done: they are uploaded as .tmp or"
                        + " .part and renamed when complete; remove it");
            }
        } else if (isMarker.test(name)) {
            return fileOfMarker.containsKey(name) ? Verdict.MARKER
                    : Verdict.waiting("a done marker without its file: no file in the folder has it as its marker (upload the"
                            + " file, or remove the marker)");
        } else if (!names.contains(markerOf.apply(name))) {
            return Verdict.waiting("no done marker yet: the file is taken once " + markerOf.apply(name) + " is there");
        }
        if (fileNames != null && !fileNames.matcher(name).matches()) {
            return Verdict.waiting("its name does not match this source's file names (" + fileNames.pattern() + ")");
        }
        return Verdict.TAKE;
    }

    /** Camel evaluates a done-marker name that still holds an expression after the file name is put in, and fails. */
    private static boolean expression(String name) {
        return name.contains("${") || name.contains("$simple{");
    }

    private static boolean temporary(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".tmp") || lower.endsWith(".part");
    }
}
