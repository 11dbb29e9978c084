package org.govhub.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * Computes, for a valid canonical record, what the 2020 relief notices say about it: the
 * {@code policy} object. Every fact carries its {@code basis} (notice id, 文号, title, clause) and
 * the {@code inputs} it was computed from, so a department can see why. The rules come from
 * {@link PolicyRules}; nothing here knows a date, a threshold or a region.
 *
 * <ul>
 * <li>EnterpriseFiling: {@code enterpriseSize}, {@code aboveDesignatedSize}</li>
 * <li>SocialInsuranceRecord: {@code enterpriseSize} (enterprises), {@code socialInsuranceRelief}, {@code deferral}</li>
 * <li>TaxRecord: {@code declarationDeadline}, {@code paymentDeferral}</li>
 * <li>CreditRecord: {@code loanDeferral}, {@code overdueReporting}, {@code publicity}</li>
 * </ul>
 */
@Component
public class PolicyEnricher {

    private static final JsonNodeFactory JSON = org.govhub.normalise.CanonicalJson.NODES; // sorted: the policy goes into the record

    private final PolicyRules rules;
    private final EnterpriseSizes sizes;

    public PolicyEnricher(PolicyRules rules) {
        this.rules = rules;
        this.sizes = new EnterpriseSizes(rules);
    }

    public EnterpriseSizes sizes() {
        return sizes;
    }

    public PolicyRules rules() {
        return rules;
    }

    /**
     * The policy object of a record of the given schema.
     *
     * @throws PolicyException when a fact the rules need cannot be computed from the record
     */
    public ObjectNode enrich(String schema, JsonNode record) {
        ObjectNode policy = JSON.objectNode();
        policy.put("rulesVersion", rules.version());
        switch (schema) {
            case "EnterpriseFiling" -> filing(record, policy);
            case "SocialInsuranceRecord" -> socialInsurance(record, policy);
            case "TaxRecord" -> tax(record, policy);
            case "CreditRecord" -> credit(record, policy);
            default -> {
                // a schema without relief rules carries only the rules version
            }
        }
        return policy;
    }

    // ------------------------------------------------------------------ enterprise size

    private void filing(JsonNode r, ObjectNode policy) {
        String given = "GIVEN".equals(text(r, "sizeClassSource")) ? text(r, "sizeClass") : null;
        policy.set("enterpriseSize", size(r, number(r, "employees"), "employees", given));
        ObjectNode above = JSON.objectNode();
        boolean value = sizes.aboveDesignatedSize(text(r, "industryCode"), number(r, "operatingRevenueFen"));
        above.put("aboveDesignatedSize", value);
        PolicyRules.AboveDesignatedSize rule = rules.aboveDesignatedSize();
        PolicyRules.Industry industry = sizes.industry(text(r, "industryCode"));
        above.put("industry", industry == null ? null : industry.id());
        above.put("revenueBoundWan", rule.revenueWan());
        above.set("basis", basis(rule.notice(), rule.clause()));
        above.set("inputs", inputs(r, "industryCode", "operatingRevenueFen"));
        policy.set("aboveDesignatedSize", above);
    }

    /**
     * The size fact: derived per the standard when the record has the measures its industry uses,
     * the source's own class when it gives one; both kept, and {@code mismatch} when they differ.
     * {@code sizeClass} is the class the other rules use: the derived one, else the given one.
     */
    ObjectNode size(JsonNode r, Long employees, String employeesField, String given) {
        String industryCode = text(r, "industryCode");
        EnterpriseSizes.Result derived = sizes.classify(industryCode, employees, number(r, "operatingRevenueFen"), number(r, "totalAssetsFen"));
        ObjectNode f = JSON.objectNode();
        f.put("sizeClass", derived.sizeClass() != null ? derived.sizeClass() : given);
        f.put("derived", derived.sizeClass());
        f.put("given", given);
        f.put("mismatch", derived.sizeClass() != null && given != null && !derived.sizeClass().equals(given));
        f.put("industry", derived.industry() == null ? null : derived.industry().id());
        if (!derived.missing().isEmpty()) {
            ArrayNode missing = f.putArray("missing");
            derived.missing().forEach(m -> missing.add(m.equals("employees") ? employeesField : m));
        }
        if (derived.industry() != null) {
            ObjectNode thresholds = f.putObject("thresholds");
            thresholds.set("large", bounds(derived.industry().large()));
            thresholds.set("medium", bounds(derived.industry().medium()));
            thresholds.set("small", bounds(derived.industry().small()));
            thresholds.put("unit", "employees: persons; revenue, assets: 万元");
        }
        f.set("basis", basis(rules.sizeNotice(), derived.industry() == null ? "第四条" : derived.industry().clause()));
        ObjectNode in = inputs(r, "industryCode", "operatingRevenueFen", "totalAssetsFen");
        in.set(employeesField, r.path(employeesField).isMissingNode() ? JSON.nullNode() : r.get(employeesField));
        in.put("givenSizeClass", given);
        f.set("inputs", in);
        return f;
    }

    // ------------------------------------------------------------------ social insurance

    private void socialInsurance(JsonNode r, ObjectNode policy) {
        PolicyRules.SocialInsurance si = rules.socialInsurance();
        String unitType = text(r, "unitType");
        String region = text(r, "regionCode");
        YearMonth period = YearMonth.parse(text(r, "period"));
        String sizeClass = null;
        if ("ENTERPRISE".equals(unitType)) {
            // 参保人数 stands in for 从业人员 when the source has no head count of its own
            ObjectNode size = size(r, number(r, "insuredEmployees"), "insuredEmployees", text(r, "sizeClass"));
            policy.set("enterpriseSize", size);
            sizeClass = size.path("sizeClass").isNull() ? null : size.path("sizeClass").asText();
        }

        PolicyRules.Regime regime = null;
        for (PolicyRules.Regime g : si.regimes()) {
            if (!g.unitTypes().contains(unitType) || !inRegions(region, g.regions())) {
                continue;
            }
            if (!g.sizeClasses().isEmpty()) {
                if (sizeClass == null) {
                    if (inAllowance(g, period)) {
                        throw new PolicyException("policy: the size class of " + text(r, "creditCode") + " is unknown (industryCode, "
                                + "insuredEmployees, operatingRevenueFen or totalAssetsFen missing per " + docNo(rules.sizeNotice())
                                + ", and no sizeClass given), so its social-insurance relief for " + period + " under regime '" + g.id()
                                + "' (" + docNo(si.notice()) + " clause " + g.clause() + ") cannot be decided");
                    }
                    continue;
                }
                if (!g.sizeClasses().contains(sizeClass)) {
                    continue;
                }
            }
            regime = g;
            break;
        }
        boolean inAllowance = regime != null && inAllowance(regime, period);
        String relief = inAllowance ? regime.relief() : "NONE";

        // deferral (缓缴): eligible units, from its first month, at most maxMonths, no late fees meanwhile
        PolicyRules.Deferral d = si.deferral();
        boolean requested = r.path("deferralRequested").asBoolean(false);
        Long requestedMonths = number(r, "deferralMonths");
        boolean eligible = d.unitTypes().contains(unitType) && !period.isBefore(d.from());
        long honoured = requested && eligible ? Math.min(requestedMonths == null ? d.maxMonths() : requestedMonths, d.maxMonths()) : 0;
        ObjectNode deferral = JSON.objectNode();
        deferral.put("requested", requested);
        deferral.put("eligible", eligible);
        deferral.put("requestedMonths", requestedMonths);
        deferral.put("maxMonths", d.maxMonths());
        deferral.put("honouredMonths", honoured);
        if (requested) {
            deferral.put("withinLimit", eligible && (requestedMonths == null || requestedMonths <= d.maxMonths()));
        } else {
            deferral.putNull("withinLimit");
        }
        deferral.put("lateFeesWaived", honoured > 0);
        deferral.put("payableBy", honoured > 0 ? period.plusMonths(honoured).toString() : null);
        deferral.set("basis", basis(si.notice(), d.clause()));
        deferral.set("inputs", inputs(r, "unitType", "period", "deferralRequested", "deferralMonths"));
        policy.set("deferral", deferral);

        ObjectNode f = JSON.objectNode();
        f.put("regime", regime == null ? null : regime.id());
        f.put("relief", !"NONE".equals(relief) ? relief : honoured > 0 ? "DEFERRED" : "NONE");
        if (regime != null && regime.from() != null) {
            ObjectNode a = f.putObject("allowance");
            a.put("from", regime.from().toString());
            a.put("to", regime.to().toString());
            a.put("months", regime.months());
            a.put("inPeriod", inAllowance);
            a.put("month", inAllowance ? regime.from().until(period, ChronoUnit.MONTHS) + 1 : null);
            a.put("monthsLeft", period.isBefore(regime.from()) ? regime.months()
                    : inAllowance ? period.until(regime.to(), ChronoUnit.MONTHS) : 0);
        }
        ObjectNode insurances = f.putObject("insurances");
        long totalDue = 0;
        long totalRelieved = 0;
        long totalDeferred = 0;
        for (Map.Entry<String, String> ins : si.insurances().entrySet()) {
            long due = number(r, ins.getValue()) == null ? 0 : number(r, ins.getValue());
            // halved: the relieved half is rounded down to the fen, the unit pays the rest
            long relieved = "EXEMPT".equals(relief) ? due : "HALVED".equals(relief) ? due / 2 : 0;
            long deferred = honoured > 0 ? due - relieved : 0;
            ObjectNode one = insurances.putObject(ins.getKey());
            one.put("dueFen", due);
            one.put("relievedFen", relieved);
            one.put("payableFen", due - relieved);
            one.put("deferredFen", deferred);
            totalDue += due;
            totalRelieved += relieved;
            totalDeferred += deferred;
        }
        f.put("dueFen", totalDue);
        f.put("relievedFen", totalRelieved);
        f.put("payableFen", totalDue - totalRelieved);
        f.put("deferredFen", totalDeferred);
        ArrayNode b = basis(si.notice(), regime == null ? "一、二" : regime.clause());
        if (honoured > 0) {
            b.addAll(basis(si.notice(), d.clause()));
        }
        if (regime != null && !regime.sizeClasses().isEmpty()) {
            b.addAll((ArrayNode) policy.path("enterpriseSize").path("basis"));
        }
        f.set("basis", b);
        ObjectNode in = inputs(r, "unitType", "regionCode", "period", "pensionEmployerFen", "unemploymentEmployerFen",
                "workInjuryEmployerFen", "deferralRequested", "deferralMonths");
        in.put("sizeClass", sizeClass);
        f.set("inputs", in);
        policy.set("socialInsuranceRelief", f);
    }

    static boolean inAllowance(PolicyRules.Regime g, YearMonth period) {
        return g.from() != null && !period.isBefore(g.from()) && !period.isAfter(g.to());
    }

    // ------------------------------------------------------------------ tax

    private void tax(JsonNode r, ObjectNode policy) {
        PolicyRules.Tax t = rules.tax();
        YearMonth period = YearMonth.parse(text(r, "period"));
        String frequency = text(r, "filingFrequency");
        if (frequency == null) {
            frequency = "MONTHLY";
        }
        String region = text(r, "regionCode");
        LocalDate declaredAt = LocalDate.parse(text(r, "declaredAt"));

        ObjectNode f = JSON.objectNode();
        PolicyRules.Extension extension = null;
        for (PolicyRules.Extension e : t.extensions()) {
            if (e.frequencies().contains(frequency) && inRegions(region, e.regions()) && e.periods().contains(period)) {
                extension = e;
                break;
            }
        }
        LocalDate deadline;
        YearMonth last = "QUARTERLY".equals(frequency) ? YearMonth.of(period.getYear(), ((period.getMonthValue() + 2) / 3) * 3) : period;
        LocalDate normal = last.plusMonths(1).atDay(t.dayOfMonth());
        ArrayNode basis;
        if (extension != null) {
            deadline = extension.deadline();
            f.put("rule", "EXTENDED");
            f.put("extension", extension.id());
            basis = basis(extension.notice(), extension.clause());
        } else {
            // 第一百零九条: long holidays inside the filing window move the deadline by their days, then a closed day rolls it on
            LocalDate windowStart = last.plusMonths(1).atDay(1);
            List<LocalDate> longHolidays = longHolidays(t, windowStart, normal);
            deadline = normal.plusDays(longHolidays.size());
            ArrayNode skipped = JSON.arrayNode();
            while (t.closed(deadline)) {
                skipped.add(deadline.toString());
                deadline = deadline.plusDays(1);
            }
            boolean covered = t.covers(windowStart) && t.covers(deadline);
            basis = basis(t.deadlineNotice(), t.deadlineClause());
            if (!covered || !longHolidays.isEmpty() || !skipped.isEmpty()) {
                basis.addAll(basis(t.rollOverNotice(), t.rollOverClause()));
            }
            if (!covered) {
                f.put("rule", "CALENDAR_NOT_COVERED");
                f.put("note", "the holiday calendar covers " + new TreeSet<>(t.coveredYears()) + ", not the filing window "
                        + windowStart + " to " + deadline + ": the deadline (" + normal + " or later) cannot be set by "
                        + t.rollOverClause() + "; a declaration up to " + normal + " is on time");
                deadline = null;
            } else {
                f.put("rule", !longHolidays.isEmpty() ? "MOVED_BY_HOLIDAYS" : skipped.isEmpty() ? "NORMAL" : "ROLLED_OVER");
                if (!longHolidays.isEmpty()) {
                    ArrayNode days = f.putArray("longHolidays");
                    longHolidays.forEach(d -> days.add(d.toString()));
                }
                if (!skipped.isEmpty()) {
                    f.set("skippedDays", skipped);
                }
            }
        }
        f.put("normalDeadline", normal.toString());
        f.put("deadline", deadline == null ? null : deadline.toString());
        if (deadline != null) {
            f.put("onTime", !declaredAt.isAfter(deadline));
            f.put("daysLate", declaredAt.isAfter(deadline) ? ChronoUnit.DAYS.between(deadline, declaredAt) : 0);
        } else {
            // without the calendar only the normal deadline is certain: holidays can move it later, never earlier
            f.put("onTime", declaredAt.isAfter(normal) ? null : Boolean.TRUE);
            f.put("daysLate", declaredAt.isAfter(normal) ? null : 0L);
        }
        f.set("basis", basis);
        ObjectNode in = inputs(r, "period", "filingFrequency", "regionCode", "declaredAt");
        if (r.path("filingFrequency").isMissingNode() || r.path("filingFrequency").isNull()) {
            in.put("filingFrequency", "MONTHLY (assumed: not given)");
        }
        f.set("inputs", in);
        policy.set("declarationDeadline", f);

        ObjectNode d = JSON.objectNode();
        boolean granted = r.path("deferralGranted").asBoolean(false);
        d.put("granted", granted);
        d.put("maxMonths", t.deferralMaxMonths());
        LocalDate limit = deadline == null ? null : deadline.plusMonths(t.deferralMaxMonths());
        d.put("latestUntil", limit == null ? null : limit.toString());
        String until = text(r, "deferralUntil");
        if (granted && until != null && limit != null) {
            d.put("withinLimit", !LocalDate.parse(until).isAfter(limit));
        } else {
            d.putNull("withinLimit");
        }
        d.set("basis", basis(t.deferralNotice(), t.deferralClause()));
        ObjectNode din = inputs(r, "deferralGranted", "deferralUntil");
        din.put("deadline", deadline == null ? null : deadline.toString());
        d.set("inputs", din);
        policy.set("paymentDeferral", d);
    }

    /**
     * The public holidays inside the filing window {@code from}..{@code to} that lie in runs of at
     * least {@code longHolidayDays} consecutive holidays (实施细则 第一百零九条: 连续3日以上法定休假日).
     */
    static List<LocalDate> longHolidays(PolicyRules.Tax t, LocalDate from, LocalDate to) {
        List<LocalDate> out = new ArrayList<>();
        List<LocalDate> run = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to.plusDays(1)); day = day.plusDays(1)) {
            if (!day.isAfter(to) && t.holiday(day)) {
                run.add(day);
            } else {
                if (run.size() >= t.longHolidayDays()) {
                    out.addAll(run);
                }
                run.clear();
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ credit

    private void credit(JsonNode r, ObjectNode policy) {
        String recordType = text(r, "recordType");
        String situation = text(r, "epidemicSituation");
        boolean epidemic = r.path("epidemicImpact").asBoolean(false);
        ObjectNode deferral = loanDeferral(r);
        policy.set("loanDeferral", deferral);
        boolean deferred = deferral.path("deferred").asBoolean();

        PolicyRules.Reporting rep = rules.reporting();
        ObjectNode f = JSON.objectNode();
        boolean covered = rep.recordTypes().contains(recordType);
        String treatment;
        if (!covered) {
            treatment = "NOT_COVERED";
        } else if (deferred) {
            treatment = "NOT_OVERDUE"; // deferred: there is no overdue to report
        } else if (epidemic && rep.protectedSituations().contains(situation)) {
            treatment = "NOT_REPORTED";
        } else if (epidemic && rep.adjustedPlanSituations().contains(situation)) {
            treatment = "REPORTED_PER_ADJUSTED_PLAN";
        } else {
            treatment = "REPORTED";
        }
        f.put("covered", covered);
        boolean notReported = "NOT_REPORTED".equals(treatment) || "NOT_OVERDUE".equals(treatment);
        f.put("mayBeReported", !notReported);
        f.put("treatment", treatment);
        // 已经报送的予以调整: a record that was reported before must be corrected at the credit-reference centre
        f.put("adjustIfAlreadyReported", notReported);
        ArrayNode reportingBasis = basis(rep.notice(), rep.clause());
        if (deferred) {
            reportingBasis.addAll((ArrayNode) deferral.get("basis"));
        }
        f.set("basis", reportingBasis);
        f.set("inputs", inputs(r, "subjectType", "recordType", "epidemicImpact", "epidemicSituation"));
        policy.set("overdueReporting", f);

        PolicyRules.Publicity pub = rules.publicity();
        ObjectNode p = JSON.objectNode();
        boolean pubCovered = pub.subjectTypes().contains(text(r, "subjectType")) && pub.recordTypes().contains(recordType);
        boolean withheld = pubCovered && (deferred || epidemic && r.path("repaymentCommitmentSigned").asBoolean(false));
        p.put("covered", pubCovered);
        p.put("mayBePublicised", !withheld);
        p.put("jointPunishment", !withheld);
        ArrayNode b = basis(pub.notice(), pub.clause());
        if (pub.alsoNotice() != null) {
            b.addAll(basis(pub.alsoNotice(), pub.alsoClause()));
        }
        if (deferred && pubCovered) {
            b.addAll((ArrayNode) deferral.get("basis"));
        }
        p.set("basis", b);
        p.set("inputs", inputs(r, "subjectType", "recordType", "epidemicImpact", "repaymentCommitmentSigned"));
        policy.set("publicity", p);
    }

    /**
     * 临时性延期还本付息: the loan of a medium, small or micro enterprise or of an individual business
     * (by its credit code) with a temporary deferral arrangement is not overdue up to the rules' day.
     *
     * @throws PolicyException when an enterprise's deferred loan falls in the deferral and its size is not given
     */
    private ObjectNode loanDeferral(JsonNode r) {
        PolicyRules.LoanDeferral ld = rules.loanDeferral();
        String subjectId = text(r, "subjectId");
        boolean enterprise = "ENTERPRISE".equals(text(r, "subjectType"));
        boolean covered = enterprise && ld.recordTypes().contains(text(r, "recordType"));
        boolean arranged = r.path("temporaryDeferral").asBoolean(false);
        LocalDate occurredOn = text(r, "occurredOn") == null ? null : LocalDate.parse(text(r, "occurredOn"));
        boolean inDeferral = occurredOn != null && !occurredOn.isAfter(ld.until());
        boolean individualBusiness = enterprise && subjectId != null && ld.individualBusinessCodes().stream().anyMatch(subjectId::startsWith);
        String sizeClass = text(r, "sizeClass");
        String borrower = individualBusiness ? "INDIVIDUAL_BUSINESS" : sizeClass;
        if (covered && arranged && inDeferral && borrower == null) {
            throw new PolicyException("policy: the size class of " + subjectId + " is not given, so whether its loan deferred on "
                    + occurredOn + " is overdue (" + docNo(ld.notice()) + " " + ld.clause() + ": medium, small and micro enterprises and "
                    + "individual businesses, to " + ld.until() + ") cannot be decided");
        }
        boolean eligible = individualBusiness || sizeClass != null && ld.sizeClasses().contains(sizeClass);
        boolean deferred = covered && arranged && eligible && inDeferral;
        ObjectNode f = JSON.objectNode();
        f.put("covered", covered);
        f.put("borrower", borrower);
        f.put("eligibleBorrower", covered ? eligible : null);
        f.put("deferredUntil", ld.until().toString());
        f.put("deferred", deferred);
        f.put("overdue", covered ? !deferred : null);
        f.put("penaltyInterestWaived", deferred);
        f.set("basis", basis(ld.notice(), ld.clause()));
        f.set("inputs", inputs(r, "subjectType", "recordType", "occurredOn", "temporaryDeferral", "sizeClass"));
        return f;
    }

    // ------------------------------------------------------------------ helpers

    ArrayNode basis(String noticeId, String clause) {
        PolicyRules.Notice n = rules.notice(noticeId);
        ObjectNode b = JSON.objectNode();
        b.put("notice", noticeId);
        b.put("docNo", n.docNo());
        b.put("title", n.title());
        b.put("clause", clause);
        return JSON.arrayNode().add(b);
    }

    private static ObjectNode bounds(Map<String, Long> bounds) {
        ObjectNode b = JSON.objectNode();
        bounds.forEach(b::put);
        return b;
    }

    private String docNo(String noticeId) {
        return rules.notice(noticeId).docNo();
    }

    static boolean inRegions(String region, List<String> prefixes) {
        return prefixes.isEmpty() || (region != null && prefixes.stream().anyMatch(region::startsWith));
    }

    private static ObjectNode inputs(JsonNode r, String... fields) {
        ObjectNode in = JSON.objectNode();
        for (String field : fields) {
            JsonNode v = r.get(field);
            in.set(field, v == null ? JSON.nullNode() : v);
        }
        return in;
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long number(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || !v.isNumber() ? null : v.asLong();
    }
}
