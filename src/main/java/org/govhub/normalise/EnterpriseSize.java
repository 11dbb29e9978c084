package org.govhub.normalise;

/**
 * Enterprise size class 企业划型 per 工信部联企业〔2011〕300号, from industry, employees (从业人员)
 * and operating revenue (营业收入). Thresholds as summarised in the domain brief; industries the
 * brief does not list use the "other" rule (employees only).
 */
public final class EnterpriseSize {

    public enum Size { LARGE, MEDIUM, SMALL, MICRO }

    /** Revenue thresholds in 万元 and employee thresholds for one industry group. */
    private record Thresholds(String group, int largeEmployees, long largeRevenue, int mediumEmployees, long mediumRevenue,
            int smallEmployees, long smallRevenue) {
    }

    private static final Thresholds INDUSTRY = new Thresholds("industry", 1000, 40000, 300, 2000, 20, 300);
    private static final Thresholds WHOLESALE = new Thresholds("wholesale", 200, 40000, 20, 5000, 5, 1000);
    private static final Thresholds RETAIL = new Thresholds("retail", 300, 20000, 50, 500, 10, 100);
    private static final Thresholds TRANSPORT = new Thresholds("transport", 1000, 30000, 300, 3000, 20, 200);
    private static final Thresholds HOSPITALITY = new Thresholds("accommodation-catering", 300, 10000, 100, 2000, 10, 100);
    /** Revenue is not a criterion here: -1 switches it off. */
    private static final Thresholds OTHER = new Thresholds("other", 300, -1, 100, -1, 10, -1);

    private static final long FEN_PER_WAN_YUAN = 1_000_000L;

    private EnterpriseSize() {
    }

    /** Size class; null when employees are unknown, or revenue is unknown where it decides. */
    public static Size classify(String industryCode, Long employees, Long revenueFen) {
        Thresholds t = thresholds(industryCode);
        if (employees == null || (t.largeRevenue() >= 0 && revenueFen == null)) {
            return null;
        }
        double wan = revenueFen == null ? 0 : revenueFen / (double) FEN_PER_WAN_YUAN;
        if (meets(employees, wan, t.largeEmployees(), t.largeRevenue())) {
            return Size.LARGE;
        }
        if (meets(employees, wan, t.mediumEmployees(), t.mediumRevenue())) {
            return Size.MEDIUM;
        }
        if (meets(employees, wan, t.smallEmployees(), t.smallRevenue())) {
            return Size.SMALL;
        }
        return Size.MICRO;
    }

    /** 规模以上工业企业: an industrial enterprise (sections B, C, D) with revenue of 2000万元 or more. */
    public static boolean aboveDesignatedSize(String industryCode, Long revenueFen) {
        return industryCode != null && !industryCode.isEmpty() && "BCD".indexOf(industryCode.charAt(0)) >= 0
                && revenueFen != null && revenueFen >= 2000 * FEN_PER_WAN_YUAN;
    }

    private static boolean meets(long employees, double wan, int minEmployees, long minRevenue) {
        return employees >= minEmployees && (minRevenue < 0 || wan >= minRevenue);
    }

    static String group(String industryCode) {
        return thresholds(industryCode).group();
    }

    private static Thresholds thresholds(String code) {
        if (code == null || code.isEmpty()) {
            return OTHER;
        }
        char section = code.charAt(0);
        int division = IndustryCodes.division(code);
        return switch (section) {
            case 'B', 'C', 'D' -> INDUSTRY;
            case 'F' -> division == 51 ? WHOLESALE : division == 52 ? RETAIL : OTHER;
            // 交通运输业: road, rail, water, air, pipeline, multimodal transport (53–58); not storage or post
            case 'G' -> division >= 53 && division <= 58 ? TRANSPORT : OTHER;
            case 'H' -> HOSPITALITY;
            default -> OTHER;
        };
    }
}
