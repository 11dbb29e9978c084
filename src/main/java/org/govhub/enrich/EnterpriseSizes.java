package org.govhub.enrich;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Enterprise size class 企业划型 per 工信部联企业〔2011〕300号, with the industries and thresholds of
 * the policy rules file: the one implementation the hub has (mapping computations, enrichment and
 * the sandbox's generators all use it).
 */
public final class EnterpriseSizes {

    /** 1万元 in fen. */
    public static final long FEN_PER_WAN_YUAN = 1_000_000L;

    /**
     * The outcome: the size class (null when a measure the industry uses is unknown, listed in
     * {@code missing}), and the industry of the standard the code falls in.
     */
    public record Result(String sizeClass, PolicyRules.Industry industry, List<String> missing) {
    }

    private final PolicyRules rules;

    public EnterpriseSizes(PolicyRules rules) {
        this.rules = rules;
    }

    /** The industry of the standard for a GB/T 4754 code: the longest matching prefix, else the default. */
    public PolicyRules.Industry industry(String industryCode) {
        PolicyRules.Industry best = null;
        int bestLength = -1;
        PolicyRules.Industry fallback = null;
        for (PolicyRules.Industry i : rules.industries()) {
            if (i.isDefault()) {
                fallback = i;
            }
            if (industryCode == null) {
                continue;
            }
            for (String prefix : i.codes()) {
                if (industryCode.startsWith(prefix) && prefix.length() > bestLength) {
                    best = i;
                    bestLength = prefix.length();
                }
            }
        }
        return best != null ? best : fallback;
    }

    /** Whether another industry of the standard lies inside the code (the code names only a section or division above it). */
    private boolean tooCoarse(String industryCode, PolicyRules.Industry matched) {
        for (PolicyRules.Industry i : rules.industries()) {
            if (i == matched) {
                continue;
            }
            for (String prefix : i.codes()) {
                if (prefix.length() > industryCode.length() && prefix.startsWith(industryCode)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Classifies one enterprise. Employees in persons; revenue and total assets in fen. An unknown
     * industry code cannot be classified (its industry decides the measures).
     */
    public Result classify(String industryCode, Long employees, Long revenueFen, Long assetsFen) {
        if (industryCode == null || industryCode.isBlank()) {
            return new Result(null, null, List.of("industryCode"));
        }
        PolicyRules.Industry industry = industry(industryCode);
        if (tooCoarse(industryCode, industry)) {
            // "F" (wholesale and retail), "G", "K70": the standard's industry, and so its thresholds, depend
            // on digits the code does not give; "other" would be a guess that changes the relief
            return new Result(null, null, List.of("industryCode (" + industryCode + " does not tell which industry of the standard)"));
        }
        List<String> missing = new ArrayList<>();
        for (String m : industry.measures()) {
            if (value(m, employees, revenueFen, assetsFen) == null) {
                missing.add(field(m));
            }
        }
        if (!missing.isEmpty()) {
            return new Result(null, industry, missing);
        }
        String size;
        if (reaches(industry.large(), employees, revenueFen, assetsFen)) {
            size = "LARGE";
        } else if (reaches(industry.medium(), employees, revenueFen, assetsFen)) {
            size = "MEDIUM";
        } else if (reaches(industry.small(), employees, revenueFen, assetsFen)) {
            size = "SMALL";
        } else {
            size = "MICRO";
        }
        return new Result(size, industry, List.of());
    }

    /** 规模以上: an industry the rules name, with revenue at or above their bound. False when revenue is unknown. */
    public boolean aboveDesignatedSize(String industryCode, Long revenueFen) {
        if (industryCode == null || industryCode.isBlank() || revenueFen == null) {
            return false;
        }
        PolicyRules.AboveDesignatedSize rule = rules.aboveDesignatedSize();
        return rule.industries().contains(industry(industryCode).id()) && revenueFen >= rule.revenueWan() * FEN_PER_WAN_YUAN;
    }

    /** Every bound reached: employees ≥ n, revenue and assets ≥ n 万元 (compared in whole fen). */
    private static boolean reaches(Map<String, Long> bounds, Long employees, Long revenueFen, Long assetsFen) {
        for (Map.Entry<String, Long> b : bounds.entrySet()) {
            long bound = b.getKey().equals("employees") ? b.getValue() : b.getValue() * FEN_PER_WAN_YUAN;
            if (value(b.getKey(), employees, revenueFen, assetsFen) < bound) {
                return false;
            }
        }
        return true;
    }

    private static Long value(String measure, Long employees, Long revenueFen, Long assetsFen) {
        return switch (measure) {
            case "employees" -> employees;
            case "revenue" -> revenueFen;
            default -> assetsFen;
        };
    }

    /** The canonical field a measure is read from. */
    public static String field(String measure) {
        return switch (measure) {
            case "employees" -> "employees";
            case "revenue" -> "operatingRevenueFen";
            default -> "totalAssetsFen";
        };
    }
}
