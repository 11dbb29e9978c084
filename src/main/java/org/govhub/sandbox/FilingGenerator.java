package org.govhub.sandbox;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.govhub.normalise.Converters;
import org.govhub.normalise.CreditCodes;
import org.govhub.enrich.EnterpriseSizes;
import org.govhub.enrich.PolicyRules;

/**
 * Generates the resumption filings (复工复产备案) of Jiangxi enterprises as the provincial
 * government-service platform's API would return them in February–March 2020: nested JSON, status
 * codes, revenue in 万元 as text with separators or as a number, dates and times in the formats the
 * platform's different front ends wrote. Some filings tie on updatedAt (a bulk import stamps many at
 * once); every {@code invalidEvery}-th is broken on purpose and says how in
 * {@link SandboxFeed.Version#defect()}. Stage 1 holds the later revisions: filings that resumed
 * (new content, new updatedAt) and a corrected one.
 */
public final class FilingGenerator {

    static final String[] DEFECTS = {
        "credit code with a wrong check character",
        "unknown industry code",
        "industry division not in its section",
        "region code missing from GB/T 2260",
        "unknown status code",
        "revenue with fractions of a fen",
        "impossible planned date and unreadable returned count",
    };

    private static final String[] TRADE_NAMES = {"恒盛", "赣江", "洪都", "瑞丰", "鑫达", "华康", "绿野", "天工", "正邦",
        "晨鸣", "联创", "庐山", "井冈", "青云", "九州", "博雅", "章贡", "滕王"};
    /** Industry code and the line of business it names. */
    private static final String[][] INDUSTRIES = {
        {"C2710", "医药"}, {"C3581", "医疗器械"}, {"C1781", "防护用品"}, {"C1391", "食品"}, {"A0141", "农业"},
        {"G5430", "物流"}, {"C3971", "电子"}, {"C1711", "纺织"}, {"F5126", "商贸"}, {"F5211", "超市"},
        {"H6210", "餐饮"}, {"I6510", "软件"}, {"D4411", "电力"}, {"E4810", "建设工程"}, {"R8610", "文化传媒"}};
    private static final String[] FORMS = {"有限公司", "股份有限公司", "有限责任公司"};
    private static final String[] SCALE_NAMES = {"大型", "中型", "小型", "微型"};
    private static final OffsetDateTime START = OffsetDateTime.parse("2020-02-10T08:00:00+08:00");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final List<String> SIZE_CLASSES = List.of("LARGE", "MEDIUM", "SMALL", "MICRO");
    /** The hub's size standard (the shipped rules file), so that a declared scale is mostly the right one. */
    private static final EnterpriseSizes SIZES = new EnterpriseSizes(PolicyRules.standard());

    private final Random random;
    private final List<String> counties;
    private final int invalidEvery;

    public FilingGenerator(long seed, List<String> counties, int invalidEvery) {
        this.random = new Random(seed);
        this.counties = counties;
        this.invalidEvery = invalidEvery;
    }

    /** All versions: stage 0 (what the platform holds at start), then stage 1 (the revisions). */
    public List<SandboxFeed.Version> generate(int count) {
        List<Integer> numbers = new ArrayList<>(IntStream.rangeClosed(1, count).boxed().toList());
        Collections.shuffle(numbers, random); // ids do not follow updatedAt
        List<SandboxFeed.Version> versions = new ArrayList<>();
        OffsetDateTime clock = START;
        int broken = 0;
        int bulkAt = count / 3;
        for (int i = 1; i <= count; i++) {
            // ties: a bulk import stamps 12 filings with one time, and now and then two or three share a second
            if (i < bulkAt || i >= bulkAt + 12) {
                clock = clock.plusSeconds(random.nextInt(4) == 0 ? 0 : 20 + random.nextInt(3000));
            }
            Map<String, Object> f = filing(String.format("GFT2020%06d", numbers.get(i - 1)), clock);
            String defect = null;
            if (invalidEvery > 0 && i % invalidEvery == 0) {
                defect = DEFECTS[broken++ % DEFECTS.length];
                breakFiling(f, defect);
            }
            versions.add(new SandboxFeed.Version((String) f.get("filingId"), 0, f, defect, true));
        }
        // stage 1: about every eighth valid filing resumed; the first filing with an unknown status code was corrected
        OffsetDateTime later = clock.plusDays(20);
        List<SandboxFeed.Version> revisions = new ArrayList<>();
        boolean corrected = false;
        for (int i = 0; i < versions.size(); i++) {
            SandboxFeed.Version v = versions.get(i);
            if (v.defect() == null && i % 8 == 3) {
                later = later.plusSeconds(i % 3 == 0 ? 0 : 60);
                revisions.add(new SandboxFeed.Version(v.id(), 1, resumed(v.item(), later), null, true));
            } else if (!corrected && "unknown status code".equals(v.defect())) {
                corrected = true;
                later = later.plusSeconds(60);
                Map<String, Object> fixed = copy(v.item());
                fixed.put("status", "20");
                fixed.put("updatedAt", later.format(ISO));
                revisions.add(new SandboxFeed.Version(v.id(), 1, fixed, null, true));
            }
        }
        versions.addAll(revisions);
        return versions;
    }

    private Map<String, Object> filing(String id, OffsetDateTime updatedAt) {
        String region = counties.get(random.nextInt(counties.size()));
        String[] industry = INDUSTRIES[random.nextInt(INDUSTRIES.length)];
        int staff = 3 + (int) Math.round(Math.exp(random.nextDouble() * 7.2)); // 3 … ~1300, mostly small
        BigDecimal revenueWan = BigDecimal.valueOf(Math.round(Math.exp(random.nextDouble() * 11) * 100), 2); // 0.01 … ~60000 万元
        long revenueFen = revenueWan.movePointRight(6).longValueExact();
        BigDecimal assetsWan = BigDecimal.valueOf(Math.round(Math.exp(random.nextDouble() * 11) * 100), 2); // 总资产 万元
        String size = SIZES.classify(industry[0], (long) staff, revenueFen, assetsWan.movePointRight(6).longValueExact()).sizeClass();
        int sizeIndex = size == null ? -1 : SIZE_CLASSES.indexOf(size);
        // now and then an enterprise declares a scale the standard does not give it (the hub keeps both and flags it)
        if (sizeIndex >= 0 && random.nextInt(12) == 0) {
            sizeIndex = sizeIndex == 3 ? 2 : sizeIndex + 1;
        }

        Map<String, Object> enterprise = new LinkedHashMap<>();
        enterprise.put("uscc", creditCode(region));
        enterprise.put("name", TRADE_NAMES[random.nextInt(TRADE_NAMES.length)] + industry[1] + FORMS[random.nextInt(FORMS.length)]);
        enterprise.put("divisionCode", region);
        enterprise.put("industryCode", industry[0]);
        enterprise.put("staffCount", random.nextInt(5) == 0 ? Integer.toString(staff) : staff);
        enterprise.put("revenueWan", switch (random.nextInt(3)) {
            case 0 -> new DecimalFormat("#,##0.00").format(revenueWan);
            case 1 -> revenueWan.toPlainString();
            default -> revenueWan; // a JSON number
        });
        enterprise.put("assetsWan", assetsWan.toPlainString());
        enterprise.put("scale", random.nextBoolean() && sizeIndex >= 0 ? SCALE_NAMES[sizeIndex] : null);

        Map<String, Object> tags = new LinkedHashMap<>();
        boolean essential = industry[1].matches("医药|医疗器械|防护用品|食品|物流|电力|超市");
        tags.put("keyGuarantee", random.nextBoolean() ? (essential && random.nextInt(3) == 0 ? "是" : "否")
                : essential && random.nextInt(3) == 0);
        if (random.nextInt(5) > 0) {
            tags.put("majorProject", random.nextInt(12) == 0 ? "是" : "否");
        }

        int total = Math.max(1, staff + random.nextInt(5) - 2);
        int returned = random.nextInt(total + 1);
        LocalDate planned = LocalDate.of(2020, 2, 10).plusDays(random.nextInt(25));
        boolean resumed = returned > 0 && random.nextInt(3) > 0;
        Map<String, Object> workforce = new LinkedHashMap<>();
        workforce.put("total", total);
        workforce.put("returned", returned);
        Map<String, Object> resumption = new LinkedHashMap<>();
        resumption.put("plannedDate", dateText(planned));
        resumption.put("actualDate", resumed ? dateText(planned.plusDays(random.nextInt(4))) : null);
        resumption.put("capacityRate", resumed ? 20 + random.nextInt(81) : null);

        OffsetDateTime filedAt = updatedAt.minusHours(1 + random.nextInt(72));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("filingId", id);
        f.put("updatedAt", updatedAt.format(ISO));
        f.put("status", resumed ? "30" : random.nextInt(4) == 0 ? "10" : "20");
        f.put("filedAt", dateTimeText(filedAt));
        f.put("enterprise", enterprise);
        f.put("tags", tags);
        f.put("workforce", workforce);
        f.put("resumption", resumption);
        return f;
    }

    private Map<String, Object> resumed(Map<String, Object> original, OffsetDateTime updatedAt) {
        Map<String, Object> f = copy(original);
        @SuppressWarnings("unchecked")
        Map<String, Object> workforce = (Map<String, Object>) f.get("workforce");
        @SuppressWarnings("unchecked")
        Map<String, Object> resumption = (Map<String, Object>) f.get("resumption");
        int total = ((Number) workforce.get("total")).intValue();
        workforce.put("returned", total);
        if (resumption.get("actualDate") == null) {
            resumption.put("actualDate", "2020年3月2日");
        }
        resumption.put("capacityRate", 100);
        f.put("status", "30");
        f.put("updatedAt", updatedAt.format(ISO));
        return f;
    }

    private void breakFiling(Map<String, Object> f, String defect) {
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) f.get("enterprise");
        switch (defect) {
            case "credit code with a wrong check character" -> {
                String code = (String) e.get("uscc");
                e.put("uscc", code.substring(0, 17) + (code.charAt(17) == '0' ? '1' : '0'));
            }
            case "unknown industry code" -> e.put("industryCode", "Z01");
            case "industry division not in its section" -> e.put("industryCode", "C5210");
            case "region code missing from GB/T 2260" -> e.put("divisionCode", "369999");
            case "unknown status code" -> f.put("status", "99");
            case "revenue with fractions of a fen" -> e.put("revenueWan", "1234.5678901");
            case "impossible planned date and unreadable returned count" -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) f.get("resumption");
                r.put("plannedDate", "2020-02-30");
                @SuppressWarnings("unchecked")
                Map<String, Object> w = (Map<String, Object>) f.get("workforce");
                w.put("returned", "约50人");
            }
            default -> throw new IllegalArgumentException(defect);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, Object> item) {
        Map<String, Object> copy = new LinkedHashMap<>();
        item.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : v));
        return copy;
    }

    /** A valid GB 32100 code: 9 (market regulator) 1 (enterprise), region, organisation code, check. */
    String creditCode(String region) {
        StringBuilder sb = new StringBuilder("91").append(region);
        for (int i = 0; i < 9; i++) {
            sb.append("0123456789ABCDEFGHJKLMNPQRTUWXY".charAt(random.nextInt(i < 8 ? 10 : 31)));
        }
        return sb.append(CreditCodes.checkCharacter(sb.toString())).toString();
    }

    String dateText(LocalDate d) {
        return switch (random.nextInt(4)) {
            case 0 -> d.toString();
            case 1 -> String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
            case 2 -> d.getYear() + "/" + d.getMonthValue() + "/" + d.getDayOfMonth();
            default -> d.getYear() + "年" + d.getMonthValue() + "月" + d.getDayOfMonth() + "日";
        };
    }

    private String dateTimeText(OffsetDateTime t) {
        OffsetDateTime local = t.withOffsetSameInstant(Converters.CHINA);
        return switch (random.nextInt(4)) {
            case 0 -> local.format(ISO);
            case 1 -> local.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            case 2 -> local.format(DateTimeFormatter.ofPattern("yyyy/M/d H:mm"));
            default -> local.format(DateTimeFormatter.ofPattern("yyyy年M月d日 HH:mm"));
        };
    }
}
