package org.govhub.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The relief rules of the 2020 notices, read from a file (default
 * {@code classpath:rules/relief-policies.yaml}, {@code govhub.policy.rules} names another): notices
 * with their 文号, the size thresholds of 工信部联企业〔2011〕300号, the social-insurance regimes of
 * 人社部发〔2020〕11号, tax deadlines and the holiday calendar, the credit protections. Nothing of
 * that is written in code. A file that cannot be used stops start-up with the file and every
 * problem found in it.
 */
@Component
public class PolicyRules {

    private static final Logger log = LoggerFactory.getLogger(PolicyRules.class);

    public static final String DEFAULT_FILE = "rules/relief-policies.yaml";
    public static final Set<String> SIZE_CLASSES = Set.of("LARGE", "MEDIUM", "SMALL", "MICRO");
    public static final Set<String> UNIT_TYPES = Set.of("ENTERPRISE", "PUBLIC_INSTITUTION", "OTHER");
    public static final Set<String> MEASURES = Set.of("employees", "revenue", "assets");
    static final Set<String> RELIEFS = Set.of("EXEMPT", "HALVED", "NONE");
    static final Set<String> FREQUENCIES = Set.of("MONTHLY", "QUARTERLY");
    static final Set<String> SITUATIONS = Set.of("PATIENT", "ISOLATED", "UNDER_OBSERVATION", "PREVENTION_WORKER", "LOST_INCOME", "NONE");
    static final Set<String> RECORD_TYPES = Set.of("LOAN_OVERDUE", "DISHONEST_LIST", "ADMINISTRATIVE_PENALTY", "REPAIRED");
    static final Set<String> SUBJECT_TYPES = Set.of("ENTERPRISE", "PERSON");

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
            List<Extension> extensions, String deferralNotice, String deferralClause, int deferralMaxMonths,
            Set<LocalDate> holidays, Set<LocalDate> workingWeekends, Set<Integer> coveredYears) {
        /** Whether the calendar lists that year's holidays and worked weekends (outside it only weekends are known). */
        public boolean covers(LocalDate day) {
            return coveredYears.contains(day.getYear());
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

    public PolicyRules(@Value("${govhub.policy.rules:classpath:" + DEFAULT_FILE + "}") Resource file) {
        this.description = file.getDescription();
        JsonNode root;
        try (InputStream in = file.getInputStream()) {
            root = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("policy rules " + description + " cannot be read: " + e.getMessage(), e);
        }
        Problems p = new Problems();
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("policy rules " + description + " are invalid:\n  - the file is not a YAML mapping");
        }
        this.version = p.text(root, "version", "version");
        this.notices = notices(root.path("notices"), p);
        JsonNode size = root.path("enterpriseSize");
        this.sizeNotice = p.notice(size, "notice", "enterpriseSize", notices);
        this.industries = industries(size.path("industries"), p);
        this.aboveDesignatedSize = aboveDesignatedSize(root.path("aboveDesignatedSize"), p);
        this.socialInsurance = socialInsurance(root.path("socialInsurance"), p);
        this.tax = tax(root.path("tax"), p);
        this.reporting = reporting(root.path("credit").path("reporting"), p);
        this.publicity = publicity(root.path("credit").path("publicity"), p);
        if (!p.list.isEmpty()) {
            throw new IllegalStateException("policy rules " + description + " are invalid:\n  - " + String.join("\n  - ", p.list));
        }
        log.info("policy rules {} from {}: {} notices, {} industries, {} social-insurance regimes, {} tax extensions",
                version, description, notices.size(), industries.size(), socialInsurance.regimes().size(), tax.extensions().size());
    }

    /** The rules shipped with the hub (for the sandbox's generators and tests). */
    public static PolicyRules standard() {
        return new PolicyRules(new ClassPathResource(DEFAULT_FILE));
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

    // ---------------------------------------------------------------- reading and checking

    /** Collects every problem of the file, each with where it is. */
    private static final class Problems {
        final List<String> list = new ArrayList<>();

        void add(String where, String what) {
            list.add(where + ": " + what);
        }

        String text(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.isValueNode() || v.asText().isBlank()) {
                add(where, "needs '" + field + "' (text)");
                return "";
            }
            return v.asText();
        }

        String optionalText(JsonNode node, String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        String notice(JsonNode node, String field, String where, Map<String, Notice> notices) {
            String id = text(node, field, where);
            if (!id.isEmpty() && !notices.containsKey(id)) {
                add(where, "names notice '" + id + "', which is not under notices (known: " + String.join(", ", new TreeSet<>(notices.keySet())) + ")");
            }
            return id;
        }

        int positive(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                add(where, "'" + field + "' must be a whole number of at least 1" + (v == null ? " (missing)" : ", not '" + v.asText() + "'"));
                return 1;
            }
            return v.asInt();
        }

        YearMonth month(JsonNode v, String where) {
            try {
                return YearMonth.parse(v.asText());
            } catch (DateTimeParseException e) {
                add(where, "'" + v.asText() + "' is not a month YYYY-MM");
                return null;
            }
        }

        LocalDate date(JsonNode v, String where) {
            try {
                return LocalDate.parse(v.asText());
            } catch (DateTimeParseException e) {
                add(where, "'" + v.asText() + "' is not a date YYYY-MM-DD");
                return null;
            }
        }

        Set<String> names(JsonNode node, String field, String where, Set<String> allowed, boolean required) {
            JsonNode v = node.get(field);
            if (v == null) {
                if (required) {
                    add(where, "needs '" + field + "' (a list)");
                }
                return Set.of();
            }
            if (!v.isArray() || v.isEmpty()) {
                add(where, "'" + field + "' must be a non-empty list");
                return Set.of();
            }
            Set<String> out = new TreeSet<>();
            for (JsonNode n : v) {
                if (allowed != null && !allowed.contains(n.asText())) {
                    add(where, "'" + field + "' has '" + n.asText() + "'; allowed: " + String.join(", ", new TreeSet<>(allowed)));
                }
                out.add(n.asText());
            }
            return out;
        }

        List<String> regions(JsonNode node, String where) {
            JsonNode v = node.get("regions");
            if (v == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (!v.isArray() || v.isEmpty()) {
                add(where, "'regions' must be a non-empty list of GB/T 2260 code prefixes");
                return out;
            }
            for (JsonNode n : v) {
                if (!n.asText().matches("[0-9]{2}([0-9]{2}([0-9]{2})?)?")) {
                    add(where, "region '" + n.asText() + "' is not a GB/T 2260 prefix of 2, 4 or 6 digits");
                }
                out.add(n.asText());
            }
            return out;
        }
    }

    private static Map<String, Notice> notices(JsonNode node, Problems p) {
        Map<String, Notice> out = new LinkedHashMap<>();
        if (!node.isObject() || node.isEmpty()) {
            p.add("notices", "needs at least one notice");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            String where = "notices." + e.getKey();
            out.put(e.getKey(), new Notice(e.getKey(), p.text(e.getValue(), "docNo", where), p.text(e.getValue(), "title", where),
                    p.optionalText(e.getValue(), "note")));
        });
        return Map.copyOf(out);
    }

    private static List<Industry> industries(JsonNode node, Problems p) {
        List<Industry> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Map<String, String> codeOwner = new LinkedHashMap<>();
        int defaults = 0;
        if (!node.isArray() || node.isEmpty()) {
            p.add("enterpriseSize.industries", "needs a list of industries");
            return out;
        }
        int i = 0;
        for (JsonNode n : node) {
            String id = n.path("id").asText("");
            String where = "enterpriseSize.industries[" + i++ + "]" + (id.isEmpty() ? "" : " '" + id + "'");
            if (id.isEmpty() || !ids.add(id)) {
                p.add(where, "industry ids must be present and unique");
            }
            boolean isDefault = n.path("default").asBoolean(false);
            defaults += isDefault ? 1 : 0;
            List<String> codes = new ArrayList<>();
            for (JsonNode c : n.path("codes")) {
                String code = c.asText();
                if (!code.matches("[A-T]([0-9]{2}([0-9]{1,2})?)?")) {
                    p.add(where, "code '" + code + "' is not a GB/T 4754-2017 section letter with up to 4 digits");
                } else if (codeOwner.containsKey(code)) {
                    p.add(where, "code '" + code + "' is already claimed by industry '" + codeOwner.get(code) + "'");
                } else {
                    codeOwner.put(code, id);
                }
                codes.add(code);
            }
            if (codes.isEmpty() && !isDefault) {
                p.add(where, "needs 'codes' (GB/T 4754 prefixes) unless it is the default industry");
            }
            Map<String, Long> large = bounds(n, "large", where, p);
            Map<String, Long> medium = bounds(n, "medium", where, p);
            Map<String, Long> small = bounds(n, "small", where, p);
            if (!large.keySet().equals(medium.keySet()) || !medium.keySet().equals(small.keySet())) {
                p.add(where, "large, medium and small must use the same measures");
            } else {
                for (String m : large.keySet()) {
                    if (!(large.get(m) >= medium.get(m) && medium.get(m) >= small.get(m))) {
                        p.add(where, m + " bounds must not grow from large to medium to small (" + large.get(m) + ", "
                                + medium.get(m) + ", " + small.get(m) + ")");
                    }
                }
            }
            out.add(new Industry(id, n.path("name").asText(id), p.text(n, "clause", where), List.copyOf(codes), isDefault,
                    large, medium, small));
        }
        if (defaults != 1) {
            p.add("enterpriseSize.industries", "exactly one industry must be 'default: true' (其他未列明行业), found " + defaults);
        }
        return List.copyOf(out);
    }

    private static Map<String, Long> bounds(JsonNode industry, String sizeClass, String where, Problems p) {
        JsonNode n = industry.get(sizeClass);
        Map<String, Long> out = new LinkedHashMap<>();
        if (n == null || !n.isObject() || n.isEmpty()) {
            p.add(where, "needs '" + sizeClass + "' with at least one of employees, revenue, assets");
            return out;
        }
        n.fields().forEachRemaining(e -> {
            if (!MEASURES.contains(e.getKey())) {
                p.add(where, sizeClass + " has unknown measure '" + e.getKey() + "' (known: employees, revenue, assets)");
            } else if (!e.getValue().isIntegralNumber() || e.getValue().asLong() < 0) {
                p.add(where, sizeClass + "." + e.getKey() + " must be a whole number ≥ 0, not '" + e.getValue().asText() + "'");
            } else {
                out.put(e.getKey(), e.getValue().asLong());
            }
        });
        return Map.copyOf(out);
    }

    private AboveDesignatedSize aboveDesignatedSize(JsonNode n, Problems p) {
        String where = "aboveDesignatedSize";
        Set<String> known = new HashSet<>();
        industries.forEach(i -> known.add(i.id()));
        Set<String> ids = p.names(n, "industries", where, known, true);
        JsonNode revenue = n.get("revenue");
        if (revenue == null || !revenue.isIntegralNumber() || revenue.asLong() < 0) {
            p.add(where, "needs 'revenue' (万元, a whole number)");
        }
        return new AboveDesignatedSize(p.notice(n, "notice", where, notices), p.text(n, "clause", where), ids,
                revenue == null ? 0 : revenue.asLong());
    }

    private SocialInsurance socialInsurance(JsonNode n, Problems p) {
        String where = "socialInsurance";
        String notice = p.notice(n, "notice", where, notices);
        Map<String, String> insurances = new LinkedHashMap<>();
        n.path("insurances").fields().forEachRemaining(e -> insurances.put(e.getKey(), e.getValue().asText()));
        if (insurances.isEmpty()) {
            p.add(where, "needs 'insurances' (name: record field of the employer part)");
        }
        List<Regime> regimes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode r : n.path("regimes")) {
            String id = r.path("id").asText("");
            String w = where + ".regimes[" + i++ + "]" + (id.isEmpty() ? "" : " '" + id + "'");
            if (id.isEmpty() || !ids.add(id)) {
                p.add(w, "regime ids must be present and unique");
            }
            String relief = p.text(r, "relief", w);
            if (!relief.isEmpty() && !RELIEFS.contains(relief)) {
                p.add(w, "relief '" + relief + "' must be EXEMPT, HALVED or NONE");
            }
            YearMonth from = null;
            int months = 0;
            if (!"NONE".equals(relief)) {
                from = r.has("from") ? p.month(r.get("from"), w + ".from") : null;
                if (from == null && !r.has("from")) {
                    p.add(w, "a relief needs 'from' (the first month, YYYY-MM)");
                }
                months = p.positive(r, "months", w);
            }
            regimes.add(new Regime(id, p.text(r, "clause", w), p.names(r, "unitTypes", w, UNIT_TYPES, true), p.regions(r, w),
                    p.names(r, "sizeClasses", w, SIZE_CLASSES, false), relief, from, months));
        }
        if (regimes.isEmpty()) {
            p.add(where, "needs at least one regime");
        }
        JsonNode d = n.path("deferral");
        String dw = where + ".deferral";
        YearMonth from = d.has("from") ? p.month(d.get("from"), dw + ".from") : null;
        if (!d.has("from")) {
            p.add(dw, "needs 'from' (YYYY-MM)");
        }
        Deferral deferral = new Deferral(p.text(d, "clause", dw), p.names(d, "unitTypes", dw, UNIT_TYPES, true), from,
                p.positive(d, "maxMonths", dw));
        return new SocialInsurance(notice, Map.copyOf(insurances), List.copyOf(regimes), deferral);
    }

    private Tax tax(JsonNode n, Problems p) {
        String where = "tax";
        JsonNode deadline = n.path("deadline");
        int day = p.positive(deadline, "dayOfMonth", where + ".deadline");
        if (day > 28) {
            p.add(where + ".deadline", "dayOfMonth must be 1 to 28");
        }
        List<Extension> extensions = new ArrayList<>();
        int i = 0;
        for (JsonNode e : n.path("extensions")) {
            String id = e.path("id").asText("");
            String w = where + ".extensions[" + i++ + "]" + (id.isEmpty() ? "" : " '" + id + "'");
            if (id.isEmpty()) {
                p.add(w, "needs an 'id'");
            }
            Set<YearMonth> periods = new HashSet<>();
            for (JsonNode m : e.path("periods")) {
                YearMonth ym = p.month(m, w + ".periods");
                if (ym != null) {
                    periods.add(ym);
                }
            }
            if (!e.has("periods") || e.path("periods").isEmpty()) {
                p.add(w, "needs 'periods' (the tax periods, YYYY-MM, whose deadline it sets)");
            }
            LocalDate date = e.has("deadline") ? p.date(e.get("deadline"), w + ".deadline") : null;
            if (!e.has("deadline")) {
                p.add(w, "needs 'deadline' (YYYY-MM-DD)");
            }
            extensions.add(new Extension(id, p.notice(e, "notice", w, notices), p.text(e, "clause", w),
                    p.names(e, "frequencies", w, FREQUENCIES, true), p.regions(e, w), Set.copyOf(periods), date));
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
                        p.add(where + ".calendar.holidays", "range " + from + " to " + to + " must run forwards and last at most a month");
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
        for (JsonNode y : calendar.path("covers")) {
            if (!y.canConvertToInt() || y.asInt() < 1949 || y.asInt() > 2100) {
                p.add(where + ".calendar.covers", "'" + y.asText() + "' is not a year");
            } else {
                covered.add(y.asInt());
            }
        }
        if (covered.isEmpty()) {
            p.add(where + ".calendar", "needs 'covers': the years whose holidays and worked weekends are complete");
        }
        Set<LocalDate> working = new TreeSet<>();
        for (JsonNode w : calendar.path("workingWeekends")) {
            LocalDate d = p.date(w, where + ".calendar.workingWeekends");
            if (d != null) {
                if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                    p.add(where + ".calendar.workingWeekends", d + " is a " + d.getDayOfWeek() + ", not a weekend day");
                }
                if (holidays.contains(d)) {
                    p.add(where + ".calendar.workingWeekends", d + " is also listed as a holiday");
                }
                working.add(d);
            }
        }
        return new Tax(p.notice(deadline, "notice", where + ".deadline", notices), p.text(deadline, "clause", where + ".deadline"), day,
                p.notice(n.path("rollOver"), "notice", where + ".rollOver", notices), p.text(n.path("rollOver"), "clause", where + ".rollOver"),
                List.copyOf(extensions), p.notice(deferral, "notice", where + ".paymentDeferral", notices),
                p.text(deferral, "clause", where + ".paymentDeferral"), p.positive(deferral, "maxMonths", where + ".paymentDeferral"),
                Set.copyOf(holidays), Set.copyOf(working), Set.copyOf(covered));
    }

    private Reporting reporting(JsonNode n, Problems p) {
        String w = "credit.reporting";
        return new Reporting(p.notice(n, "notice", w, notices), p.text(n, "clause", w), p.names(n, "recordTypes", w, RECORD_TYPES, true),
                p.names(n, "protectedSituations", w, SITUATIONS, true), p.names(n, "adjustedPlanSituations", w, SITUATIONS, false));
    }

    private Publicity publicity(JsonNode n, Problems p) {
        String w = "credit.publicity";
        String also = p.optionalText(n, "alsoNotice");
        if (also != null && !notices.containsKey(also)) {
            p.add(w, "names notice '" + also + "', which is not under notices");
        }
        return new Publicity(p.notice(n, "notice", w, notices), p.text(n, "clause", w), also, p.optionalText(n, "alsoClause"),
                p.names(n, "subjectTypes", w, SUBJECT_TYPES, true), p.names(n, "recordTypes", w, RECORD_TYPES, true));
    }
}
