package org.govhub.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an export of the exchange log without the hub:
 * {@code ./mvnw -q compile exec:java@verify-log -Dexec.args="exchange-log.jsonl exchange-log-public.pem"}.
 * It names every entry that was edited (its content no longer matches its hash, or the signature
 * is not the hub's), inserted (a signature not by the hub's key, a sequence number twice, or an
 * entry that does not chain to its predecessor), deleted (a gap in the sequence) or reordered (a
 * sequence number after a later one). Exit status 0: the export is intact; 1: it is not; 2: it cannot be read.
 */
public final class ExchangeLogVerifier {

    /** What is wrong, at which sequence number and line of the export. */
    public record Problem(long seq, int line, String what) {
        @Override
        public String toString() {
            return (line > 0 ? "line " + line : "") + (line > 0 && seq >= 0 ? ", " : "") + (seq >= 0 ? "seq " + seq : "") + ": " + what;
        }
    }

    private ExchangeLogVerifier() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ExchangeLogVerifier <export.jsonl> <exchange-log-public.pem>");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        PublicKey key = Pem.publicKey(Files.readString(Path.of(args[1])));
        List<Problem> problems = verify(lines, key);
        long entries = lines.stream().filter(l -> !l.isBlank()).count();
        if (problems.isEmpty()) {
            System.out.println("OK: " + entries + " entries; every hash, signature and link of the chain is intact");
            System.exit(0);
        }
        System.out.println("NOT INTACT: " + problems.size() + " problem(s) in " + entries + " entries");
        problems.forEach(p -> System.out.println("  " + p));
        System.exit(1);
    }

    private record Line(int number, Entry entry) {
    }

    public static List<Problem> verify(List<String> lines, PublicKey key) {
        List<Problem> problems = new ArrayList<>();
        List<Line> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                entries.add(new Line(i + 1, Entry.fromJsonLine(lines.get(i))));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(-1, i + 1, "unreadable entry (" + e.getMessage() + ")"));
            }
        }
        // 1. each entry on its own: edited content, or not signed by the hub
        for (Line l : entries) {
            Entry e = l.entry();
            String hash = ExchangeLog.sha256(e.signedBytes());
            if (!hash.equals(e.entryHash())) {
                problems.add(new Problem(e.seq(), l.number(), "edited: its content does not match its hash"));
            } else if (!ExchangeLogKey.verify(key, e.signedBytes(), e.signature())) {
                problems.add(new Problem(e.seq(), l.number(), "not signed by the hub's key: inserted or edited and re-hashed"));
            }
        }
        // 2. the order of the lines: sequence numbers only ever go up by one
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Line l = entries.get(i);
            Integer twice = seen.putIfAbsent(l.entry().seq(), l.number());
            if (twice != null) {
                problems.add(new Problem(l.entry().seq(), l.number(), "inserted: sequence number already used at line " + twice));
            } else if (i > 0 && l.entry().seq() < entries.get(i - 1).entry().seq()) {
                problems.add(new Problem(l.entry().seq(), l.number(), "reordered: comes after seq " + entries.get(i - 1).entry().seq()));
            }
        }
        // 3. the chain in sequence order: no gap, each entry carries its predecessor's hash
        List<Line> bySeq = new ArrayList<>(entries);
        bySeq.sort(Comparator.comparingLong((Line l) -> l.entry().seq()).thenComparingInt(Line::number));
        for (int i = 0; i < bySeq.size(); i++) {
            Entry e = bySeq.get(i).entry();
            if (i == 0) {
                if (e.seq() == 1 && !Entry.GENESIS.equals(e.prevHash())) {
                    problems.add(new Problem(1, bySeq.get(i).number(), "the first entry does not start the chain"));
                } else if (e.seq() > 1) {
                    // an export from a later entry on: its first link is taken on trust, and said so
                    problems.add(new Problem(e.seq(), bySeq.get(i).number(), "deleted: entries 1 to " + (e.seq() - 1) + " are missing"));
                }
                continue;
            }
            Entry before = bySeq.get(i - 1).entry();
            if (e.seq() == before.seq()) {
                continue; // a duplicate, named above
            }
            if (e.seq() > before.seq() + 1) {
                problems.add(new Problem(e.seq(), bySeq.get(i).number(), "deleted: " + (e.seq() - before.seq() == 2
                        ? "seq " + (before.seq() + 1) + " is missing" : "seq " + (before.seq() + 1) + " to " + (e.seq() - 1) + " are missing")));
            } else if (!before.entryHash().equals(e.prevHash())) {
                problems.add(new Problem(e.seq(), bySeq.get(i).number(), "does not follow seq " + before.seq()
                        + ": its previous hash is not that entry's hash (an entry inserted or replaced here)"));
            }
        }
        problems.sort(Comparator.comparingInt(Problem::line));
        return problems;
    }
}
