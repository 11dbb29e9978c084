package org.govhub.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.govhub.FileSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The relief rules of the 2020 notices, read from a file (default
 * {@code classpath:rules/relief-policies.yaml}, {@code govhub.policy.rules} names another): notices
 * with their 文号, the size thresholds of 工信部联企业〔2011〕300号, the social-insurance regimes of
 * 人社部发〔2020〕11号, tax deadlines and the holiday calendar, the credit protections. Nothing of
 * that is written in code. The file's structure is checked by its JSON Schema
 * ({@code file-schemas/relief-rules.schema.json}, named in the file for editors); this class checks
 * what a schema cannot say. A file that cannot be used stops start-up with the file and every
 * problem found in it, each with line and column.
 */
@Component
public class PolicyRules {

    private static final Logger log = LoggerFactory.getLogger(PolicyRules.class);

    public static final String DEFAULT_FILE = "rules/relief-policies.yaml";

    public record Notice(String id, String docNo, String title, String note) {
    }

    /** One industry of the size standard; bounds per class, by measure (employees, revenue 万元, assets 万元). */
    public record Industry(String id, String name, String clause, List<String> codes, boolean isDefault,
            Map<String, Long> large, Map<String, Long> medium, Map<String, Long> small) {
        /** The measures any class of this industry uses, in a stable order. */
        public List<String> measures() {
            Set<String> all = new TreeSet<>(large.keySet());
            all.addAll(medium.keySet());
            all.addAll(small.keySet());
            return List.copyOf(all);
        }
    }

    public record AboveDesignatedSize(String notice, String clause, Set<String> industries, long revenueWan) {
    }

    public record Regime(String id, String clause, Set<String> unitTypes, List<String> regions, Set<String> sizeClasses,
            String relief, YearMonth from, int months) {
        public YearMonth to() {
            return from == null ? null : from.plusMonths(months - 1L);
        }
    }

    public record Deferral(String clause, Set<String> unitTypes, YearMonth from, int maxMonths) {
    }

    public record SocialInsurance(String notice, Map<String, String> insurances, List<Regime> regimes, Deferral deferral) {
    }

    public record Extension(String id, String notice, String clause, Set<String> frequencies, List<String> regions,
            Set<YearMonth> periods, LocalDate deadline) {
    }

    public record Tax(String deadlineNotice, String deadlineClause, int dayOfMonth, String rollOverNotice, String rollOverClause,
            int longHolidayDays, List<Extension> extensions, String deferralNotice, String deferralClause, int deferralMaxMonths,
            Set<LocalDate> holidays, Set<LocalDate> workingWeekends, Set<Integer> coveredYears) {
        /** Whether the calendar lists that year's holidays and worked weekends (outside it only weekends are known). */
        public boolean covers(LocalDate day) {
            return coveredYears.contains(day.getYear());
        }

        /** Whether the calendar lists that day as a public holiday. */
        public boolean holiday(LocalDate day) {
            return holidays.contains(day);
        }

        /** A day on which nothing can be filed: a public holiday, or a weekend day that is not worked. */
        public boolean closed(LocalDate day) {
            boolean weekend = day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
            return holidays.contains(day) || (weekend && !workingWeekends.contains(day));
        }
    }

    public record Reporting(String notice, String clause, Set<String> recordTypes, Set<String> protectedSituations,
            Set<String> adjustedPlanSituations) {
    }

    public record Publicity(String notice, String clause, String alsoNotice, String alsoClause, Set<String> subjectTypes,
            Set<String> recordTypes) {
    }

    /** 临时性延期还本付息: these borrowers' loans with a deferral arrangement are not overdue up to {@code until}. */
    public record LoanDeferral(String notice, String clause, Set<String> recordTypes, Set<String> sizeClasses,
            List<String> individualBusinessCodes, LocalDate until) {
    }

    private final String description;
    private final String version;
    private final Map<String, Notice> notices;
    private final String sizeNotice;
    private final List<Industry> industries;
    private final AboveDesignatedSize aboveDesignatedSize;
    private final SocialInsurance socialInsurance;
    private final Tax tax;
    private final Reporting reporting;
    private final Publicity publicity;
    private final LoanDeferral loanDeferral;

    @Autowired // the one Spring uses; the other reads a file already checked
    public PolicyRules(@Value("${govhub.policy.rules:classpath:" + DEFAULT_FILE + "}") Resource file) {
        this(file.getDescription(), read(file));
        log.info("policy rules {} from {}: {} notices, {} industries, {} social-insurance regimes, {} tax extensions",
                version, description, notices.size(), industries.size(), socialInsurance.regimes().size(), tax.extensions().size());
    }

    /** The rules shipped with the hub (for the sandbox's generators and tests). */
    public static PolicyRules standard() {
        return new PolicyRules(new ClassPathResource(DEFAULT_FILE));
    }

    /** Every problem of a relief rules file, each naming the file; empty when it can be used (check-files). */
    public static List<String> problems(Resource file) {
        try {
            new PolicyRules(file.getDescription(), read(file));
            return List.of();
        } catch (Invalid e) {
            return e.problems;
        }
    }

    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    public Notice notice(String id) {
        return notices.get(id);
    }

    public String sizeNotice() {
        return sizeNotice;
    }

    public List<Industry> industries() {
        return industries;
    }

    public AboveDesignatedSize aboveDesignatedSize() {
        return aboveDesignatedSize;
    }

    public SocialInsurance socialInsurance() {
        return socialInsurance;
    }

    public Tax tax() {
        return tax;
    }

    public Reporting reporting() {
        return reporting;
    }

    public Publicity publicity() {
        return publicity;
    }

    public LoanDeferral loanDeferral() {
        return loanDeferral;
    }

    // ---------------------------------------------------------------- reading and checking

    /** A rules file that cannot be used: every problem, each naming the file. */
    private static final class Invalid extends IllegalStateException {
        final List<String> problems;

        Invalid(String description, List<String> problems) {
            super("policy rules " + description + " are invalid:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }
    }

    /** The file as read and checked against its schema; refused at once when there is no tree to look further into. */
    private static FileSchema.Checked read(Resource file) {
        FileSchema.Checked checked;
        try (InputStream in = file.getInputStream()) {
            checked = FileSchema.of("relief-rules").read(in, file.getDescription());
        } catch (IOException e) {
            throw new Invalid(file.getDescription(), List.of(file.getDescription() + ": cannot be read: " + e.getMessage()));
        }
        if (checked.root() == null || !checked.root().isObject()) {
            throw new Invalid(file.getDescription(), checked.problems());
        }
        return checked;
    }

    /**
     * Builds the rules from a tree the schema has checked, and checks what a schema cannot say: a
     * named notice or industry exists, ids and industry codes are used once, bounds do not grow
     * downwards, dates are real days, worked weekend days are weekend days. A tree with schema
     * problems is read too, so that all problems are listed at once.
     */
    private PolicyRules(String description, FileSchema.Checked checked) {
        this.description = description;
        Problems p = new Problems(description, checked.problems());
        JsonNode root = checked.root();
        this.version = root.path("version").asText();
        this.notices = notices(root.path("notices"));
        JsonNode size = root.path("enterpriseSize");
        this.sizeNotice = p.notice(size, "notice", "enterpriseSize", notices);
        this.industries = industries(size.path("industries"), p);
        this.aboveDesignatedSize = aboveDesignatedSize(root.path("aboveDesignatedSize"), p);
        this.socialInsurance = socialInsurance(root.path("socialInsurance"), p);
        this.tax = tax(root.path("tax"), p);
        this.reporting = reporting(root.path("credit").path("reporting"), p);
        this.publicity = publicity(root.path("credit").path("publicity"), p);
        this.loanDeferral = loanDeferral(root.path("credit").path("loanDeferral"), p);
        if (!p.list.isEmpty()) {
            throw new Invalid(description, p.list);
        }
    }

    /** Collects every problem of the file, each with its line, column and which entry. */
    private static final class Problems {
        final String file;
        final List<String> list;

        Problems(String file, List<String> schemaProblems) {
            this.file = file;
            this.list = new ArrayList<>(schemaProblems);
        }

        void add(JsonNode at, String where, String what) {
            list.add(FileSchema.at(file, at) + where + ": " + what);
        }

        /** A notice named by id, which must be under notices. */
        String notice(JsonNode node, String field, String where, Map<String, Notice> notices) {
            String id = node.path(field).asText();
            if (node.has(field) && !notices.containsKey(id)) {
                add(node.get(field), where, "names notice '" + id + "', which is not under notices (known: "
                        + String.join(", ", new TreeSet<>(notices.keySet())) + ")");
            }
            return id;
        }

        /** A date the schema has seen as YYYY-MM-DD, which must be a real day. */
        LocalDate date(JsonNode v, String where) {
            if (!v.isTextual() || !v.asText().matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                return null; // the schema said so
            }
            try {
                return LocalDate.parse(v.asText());
            } catch (DateTimeParseException e) {
                add(v, where, "'" + v.asText() + "' is not a date YYYY-MM-DD");
                return null;
            }
        }
    }

    private static YearMonth month(JsonNode v) {
        try {
            return YearMonth.parse(v.asText());
        } catch (DateTimeParseException e) {
            return null; // the schema said so
        }
    }

    private static Set<String> names(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, Notice> notices(JsonNode node) {
        Map<String, Notice> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), new Notice(e.getKey(), e.getValue().path("docNo").asText(),
                e.getValue().path("title").asText(), optionalText(e.getValue(), "note"))));
        return Map.copyOf(out);
    }

    private static List<Industry> industries(JsonNode node, Problems p) {
        List<Industry> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Map<String, String> codeOwner = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode n : node) {
            String id = n.path("id").asText();
            String where = "enterpriseSize.industries[" + i++ + "] '" + id + "'";
            if (n.has("id") && !ids.add(id)) {
                p.add(n.get("id"), where, "industry ids must be unique");
            }
            List<String> codes = new ArrayList<>();
            for (JsonNode c : n.path("codes")) {
                String code = c.asText();
                if (codeOwner.containsKey(code)) {
                    p.add(c, where, "code '" + code + "' is already claimed by industry '" + codeOwner.get(code) + "'");
                } else {
                    codeOwner.put(code, id);
                }
                codes.add(code);
            }
            Map<String, Long> large = bounds(n.path("large"));
            Map<String, Long> medium = bounds(n.path("medium"));
            Map<String, Long> small = bounds(n.path("small"));
            if (!large.keySet().equals(medium.keySet()) || !medium.keySet().equals(small.keySet())) {
                p.add(n, where, "large, medium and small must use the same measures");
            } else {
                for (String m : large.keySet()) {
                    if (!(large.get(m) >= medium.get(m) && medium.get(m) >= small.get(m))) {
                        p.add(n, where, m + " bounds must not grow from large to medium to small (" + large.get(m) + ", "
                                + medium.get(m) + ", " + small.get(m) + ")");
                    }
                }
            }
            out.add(new Industry(id, n.path("name").asText(id), n.path("clause").asText(), List.copyOf(codes),
                    n.path("default").asBoolean(false), large, medium, small));
        }
        return List.copyOf(out);
    }

    private static Map<String, Long> bounds(JsonNode n) {
        Map<String, Long> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return Map.copyOf(out);
    }

    private AboveDesignatedSize aboveDesignatedSize(JsonNode n, Problems p) {
        String where = "aboveDesignatedSize";
        Set<String> known = new TreeSet<>();
        industries.forEach(i -> known.add(i.id()));
        for (JsonNode i : n.path("industries")) {
            if (!known.contains(i.asText())) {
                p.add(i, where, "'industries' has '" + i.asText() + "'; allowed: " + String.join(", ", known));
            }
        }
        return new AboveDesignatedSize(p.notice(n, "notice", where, notices), n.path("clause").asText(), names(n.path("industries")),
                n.path("revenue").asLong());
    }

    private SocialInsurance socialInsurance(JsonNode n, Problems p) {
        String where = "socialInsurance";
        String notice = p.notice(n, "notice", where, notices);
        Map<String, String> insurances = new LinkedHashMap<>();
        n.path("insurances").properties().forEach(e -> insurances.put(e.getKey(), e.getValue().asText()));
        List<Regime> regimes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode r : n.path("regimes")) {
            String id = r.path("id").asText();
            if (r.has("id") && !ids.add(id)) {
                p.add(r.get("id"), where + ".regimes[" + i + "] '" + id + "'", "regime ids must be unique");
            }
            i++;
            String relief = r.path("relief").asText();
            boolean none = "NONE".equals(relief);
            regimes.add(new Regime(id, r.path("clause").asText(), names(r.path("unitTypes")), texts(r.path("regions")),
                    names(r.path("sizeClasses")), relief, none ? null : month(r.path("from")), none ? 0 : r.path("months").asInt()));
        }
        JsonNode d = n.path("deferral");
        Deferral deferral = new Deferral(d.path("clause").asText(), names(d.path("unitTypes")), month(d.path("from")),
                d.path("maxMonths").asInt());
        return new SocialInsurance(notice, Map.copyOf(insurances), List.copyOf(regimes), deferral);
    }

    private Tax tax(JsonNode n, Problems p) {
        String where = "tax";
        JsonNode deadline = n.path("deadline");
        List<Extension> extensions = new ArrayList<>();
        int i = 0;
        for (JsonNode e : n.path("extensions")) {
            String id = e.path("id").asText();
            String w = where + ".extensions[" + i++ + "] '" + id + "'";
            Set<YearMonth> periods = new HashSet<>();
            for (JsonNode m : e.path("periods")) {
                YearMonth ym = month(m);
                if (ym != null) {
                    periods.add(ym);
                }
            }
            LocalDate date = e.has("deadline") ? p.date(e.get("deadline"), w + ".deadline") : null;
            extensions.add(new Extension(id, p.notice(e, "notice", w, notices), e.path("clause").asText(), names(e.path("frequencies")),
                    texts(e.path("regions")), Set.copyOf(periods), date));
        }
        JsonNode deferral = n.path("paymentDeferral");
        JsonNode calendar = n.path("calendar");
        Set<LocalDate> holidays = new TreeSet<>();
        for (JsonNode h : calendar.path("holidays")) {
            if (h.isObject()) {
                LocalDate from = p.date(h.path("from"), where + ".calendar.holidays");
                LocalDate to = p.date(h.path("to"), where + ".calendar.holidays");
                if (from != null && to != null) {
                    if (to.isBefore(from) || from.plusDays(31).isBefore(to)) {
                        p.add(h, where + ".calendar.holidays", "range " + from + " to " + to + " must run forwards and last at most a month");
                    } else {
                        from.datesUntil(to.plusDays(1)).forEach(holidays::add);
                    }
                }
            } else {
                LocalDate d = p.date(h, where + ".calendar.holidays");
                if (d != null) {
                    holidays.add(d);
                }
            }
        }
        Set<Integer> covered = new TreeSet<>();
        calendar.path("covers").forEach(y -> covered.add(y.asInt()));
        Set<LocalDate> working = new TreeSet<>();
        for (JsonNode w : calendar.path("workingWeekends")) {
            LocalDate d = p.date(w, where + ".calendar.workingWeekends");
            if (d != null) {
                if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                    p.add(w, where + ".calendar.workingWeekends", d + " is a " + d.getDayOfWeek() + ", not a weekend day");
                }
                if (holidays.contains(d)) {
                    p.add(w, where + ".calendar.workingWeekends", d + " is also listed as a holiday");
                }
                working.add(d);
            }
        }
        return new Tax(p.notice(deadline, "notice", where + ".deadline", notices), deadline.path("clause").asText(),
                deadline.path("dayOfMonth").asInt(), p.notice(n.path("rollOver"), "notice", where + ".rollOver", notices),
                n.path("rollOver").path("clause").asText(), n.path("rollOver").path("longHolidayDays").asInt(), List.copyOf(extensions),
                p.notice(deferral, "notice", where + ".paymentDeferral", notices), deferral.path("clause").asText(),
                deferral.path("maxMonths").asInt(), Set.copyOf(holidays), Set.copyOf(working), Set.copyOf(covered));
    }

    private Reporting reporting(JsonNode n, Problems p) {
        return new Reporting(p.notice(n, "notice", "credit.reporting", notices), n.path("clause").asText(), names(n.path("recordTypes")),
                names(n.path("protectedSituations")), names(n.path("adjustedPlanSituations")));
    }

    private Publicity publicity(JsonNode n, Problems p) {
        String w = "credit.publicity";
        return new Publicity(p.notice(n, "notice", w, notices), n.path("clause").asText(), n.has("alsoNotice") ? p.notice(n, "alsoNotice", w, notices) : null,
                optionalText(n, "alsoClause"), names(n.path("subjectTypes")), names(n.path("recordTypes")));
    }

    private LoanDeferral loanDeferral(JsonNode n, Problems p) {
        String w = "credit.loanDeferral";
        return new LoanDeferral(p.notice(n, "notice", w, notices), n.path("clause").asText(), names(n.path("recordTypes")),
                names(n.path("sizeClasses")), texts(n.path("individualBusinessCodes")),
                n.has("until") ? p.date(n.get("until"), w + ".until") : null);
    }
}
