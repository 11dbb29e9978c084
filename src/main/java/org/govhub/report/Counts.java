package org.govhub.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Aggregated figures of a set of filings at a cut-off, as the database summed them; rates are
 * derived from the counts (null when the denominator is 0).
 */
public final class Counts {

    long filed;
    long shouldResume;
    long resumed;
    long employeesTotal;
    long employeesReturned;
    long capacityReported;
    BigDecimal capacitySum = BigDecimal.ZERO;

    void add(Counts o) {
        filed += o.filed;
        shouldResume += o.shouldResume;
        resumed += o.resumed;
        employeesTotal += o.employeesTotal;
        employeesReturned += o.employeesReturned;
        capacityReported += o.capacityReported;
        capacitySum = capacitySum.add(o.capacitySum);
    }

    public long filed() {
        return filed;
    }

    public long shouldResume() {
        return shouldResume;
    }

    public long resumed() {
        return resumed;
    }

    public long employeesTotal() {
        return employeesTotal;
    }

    public long employeesReturned() {
        return employeesReturned;
    }

    public long capacityReported() {
        return capacityReported;
    }

    /** 复工率 in percent, 2 decimals (HALF_UP); null when no enterprise should have resumed. */
    public BigDecimal resumptionRate() {
        return percent(resumed, shouldResume);
    }

    /** 返岗率 in percent, 2 decimals; null without employees. */
    public BigDecimal returnRate() {
        return percent(employeesReturned, employeesTotal);
    }

    /** 产能恢复率: mean of the resumed enterprises' reported capacity, percent, 2 decimals; null when none reported. */
    public BigDecimal capacityAverage() {
        return capacityReported == 0 ? null : capacitySum.divide(BigDecimal.valueOf(capacityReported), 2, RoundingMode.HALF_UP);
    }

    /** The exact rate as a fraction (for comparisons and spreadsheet cells); NaN when undefined. */
    public double rateFraction() {
        return shouldResume == 0 ? Double.NaN : (double) resumed / shouldResume;
    }

    /** 复工率 in percent to 12 decimals, for comparing rates without the rounding of {@link #resumptionRate()}; null as there. */
    public BigDecimal exactResumptionRate() {
        return percent(resumed, shouldResume, 12);
    }

    static BigDecimal percent(long part, long whole) {
        return percent(part, whole, 2);
    }

    private static BigDecimal percent(long part, long whole, int scale) {
        return whole == 0 ? null : BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(whole), scale, RoundingMode.HALF_UP);
    }

    Map<String, Object> basic() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("filed", filed);
        m.put("shouldResume", shouldResume);
        m.put("resumed", resumed);
        m.put("resumptionRate", resumptionRate());
        return m;
    }

    Map<String, Object> full() {
        Map<String, Object> m = basic();
        m.put("employeesTotal", employeesTotal);
        m.put("employeesReturned", employeesReturned);
        m.put("returnRate", returnRate());
        m.put("capacityReported", capacityReported);
        m.put("capacityAverage", capacityAverage());
        return m;
    }
}
