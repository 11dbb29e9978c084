package org.govhub.sandbox;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.govhub.normalise.CreditCodes;

/**
 * Generates the monthly unit contribution exports (单位缴费明细) Jiangxi HRSS bureaus would drop for
 * early 2020: the employer part of pension, unemployment and work-injury insurance as assessed
 * (应缴, before relief: the hub computes the relief of 人社部发〔2020〕11号), the unit's industry,
 * revenue, assets and, for some, HRSS's size class (now and then one the standard does not give);
 * a few enterprises asking to defer, for 3 to 8 months. Every {@code invalidEvery}-th row
 * is broken on purpose, in one of several realistic ways, and says so in {@link Row#defect()}.
 * Files are GBK: CSV with a Chinese header row (city bureaus) or fixed-width lines (county offices).
 */
public final class SocialInsuranceGenerator {

    public static final Charset GBK = Charset.forName("GBK");

    public static final String CODE = "单位统一社会信用代码";
    public static final String NAME = "单位名称";
    public static final String TYPE = "单位类型";
    public static final String PERIOD = "费款所属期";
    public static final String EMPLOYEES = "参保人数";
    public static final String BASE = "缴费基数(元)";
    public static final String PENSION = "养老单位缴费(元)";
    public static final String UNEMPLOYMENT = "失业单位缴费(元)";
    public static final String WORK_INJURY = "工伤单位缴费(元)";
    public static final String DEFERRAL = "申请缓缴";
    public static final String REGION = "参保地行政区划";
    public static final String INDUSTRY = "行业代码";
    public static final String REVENUE = "营业收入(万元)";
    public static final String ASSETS = "资产总额(万元)";
    public static final String SIZE = "企业规模";
    public static final String DEFERRAL_MONTHS = "缓缴月数";
    public static final List<String> COLUMNS = List.of(CODE, NAME, TYPE, PERIOD, EMPLOYEES, BASE, PENSION, UNEMPLOYMENT,
            WORK_INJURY, DEFERRAL, REGION, INDUSTRY, REVENUE, ASSETS, SIZE, DEFERRAL_MONTHS);
    /** Fixed-width layout of mappings/social-insurance-fixed.yaml: bytes per column, in column order. */
    static final int[] WIDTHS = {18, 60, 2, 6, 6, 14, 12, 12, 12, 1, 6, 5, 12, 12, 1, 2};
    /** HRSS size codes (企业规模: 1 大型 2 中型 3 小型 4 微型), as mapped by both mappings. */
    private static final List<String> SIZE_CLASSES = List.of("LARGE", "MEDIUM", "SMALL", "MICRO");
    private static final org.govhub.enrich.EnterpriseSizes SIZES =
            new org.govhub.enrich.EnterpriseSizes(org.govhub.enrich.PolicyRules.standard());
    private static final String[] INDUSTRIES = {"C2710", "C3581", "C1781", "C1391", "A0141", "G5430", "C3971", "F5126",
        "F5211", "H6210", "I6510", "E4810", "K7020", "L7212", "G5920", "M7320"};

    static final String SHORT_LINE = "short line";
    static final String[] DEFECTS = {
        "credit code with a wrong check character",
        "unknown unit type code",
        "period that is not a month",
        "head count that is not a number",
        "contribution with fractions of a fen",
        "region code missing from GB/T 2260",
        SHORT_LINE,
    };

    /** A generated row (CSV column names) and, when it was broken on purpose, how. */
    public record Row(Map<String, String> columns, String defect) {
        /** The record key the hub gives it: credit code and period as the file has them. */
        public String key() {
            return columns.get(CODE).strip() + "|" + columns.get(PERIOD).strip();
        }
    }

    /** One insured unit. */
    private record Unit(String code, String name, String type, String region, int employees, boolean defers,
            String industry, String revenueWan, String assetsWan, String sizeCode, int deferralMonths) {
    }

    private static final String[] TRADE_NAMES = {"恒盛", "赣江", "洪都", "瑞丰", "鑫达", "华康", "绿野", "天工", "正邦",
        "晨鸣", "联创", "庐山", "井冈", "青云", "九州", "博雅", "红都", "章贡"};
    private static final String[] LINES = {"医疗器械", "医药", "防护用品", "食品", "农业", "物流", "电子", "纺织",
        "建材", "商贸", "科技", "餐饮", "电力设备", "文化传媒"};
    private static final String[] FORMS = {"有限公司", "股份有限公司", "有限责任公司"};
    private static final String[] INSTITUTIONS = {"人民医院", "第一中学", "疾病预防控制中心", "自然资源局", "图书馆"};
    private static final String[] ASSOCIATIONS = {"个体劳动者协会", "养老服务中心", "物流行业协会"};

    private final long seed;
    private final int invalidEvery;
    private int generated;
    private int broken;

    public SocialInsuranceGenerator(long seed, int invalidEvery) {
        this.seed = seed;
        this.invalidEvery = invalidEvery;
    }

    /**
     * The rows of one bureau for one month. The same {@code place} and {@code counties} give the same
     * units every month. Defects are counted across every call of this generator.
     *
     * @param place    city or county name, the first part of unit names (南昌)
     * @param counties division codes the units are insured in
     * @param period   YYYYMM
     */
    public List<Row> rows(String place, List<String> counties, String period, int units) {
        Random unitRandom = new Random(seed * 31 + place.hashCode());
        List<Unit> all = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            all.add(unit(unitRandom, place, counties.get(unitRandom.nextInt(counties.size()))));
        }
        Random random = new Random(seed * 31 + (place + period).hashCode());
        List<Row> rows = new ArrayList<>();
        for (Unit u : all) {
            Map<String, String> c = new LinkedHashMap<>();
            BigDecimal average = BigDecimal.valueOf(3000 + random.nextInt(6000));
            BigDecimal base = average.multiply(BigDecimal.valueOf(u.employees()))
                    .add(BigDecimal.valueOf(random.nextInt(100), 2));
            // assessed contributions, before relief (the hub computes the relief)
            BigDecimal share = BigDecimal.ONE;
            c.put(CODE, u.code());
            c.put(NAME, u.name());
            c.put(TYPE, u.type());
            c.put(PERIOD, period);
            c.put(EMPLOYEES, Integer.toString(u.employees()));
            c.put(BASE, base.toPlainString());
            c.put(PENSION, part(base, "0.16", share));
            c.put(UNEMPLOYMENT, part(base, "0.005", share));
            c.put(WORK_INJURY, part(base, "0.004", share));
            c.put(DEFERRAL, u.defers() ? "Y" : "N");
            c.put(REGION, u.region());
            c.put(INDUSTRY, u.industry());
            c.put(REVENUE, u.revenueWan());
            c.put(ASSETS, u.assetsWan());
            c.put(SIZE, u.sizeCode());
            c.put(DEFERRAL_MONTHS, u.defers() ? Integer.toString(u.deferralMonths()) : "");
            String defect = null;
            generated++;
            if (invalidEvery > 0 && generated % invalidEvery == 0) {
                defect = DEFECTS[broken++ % DEFECTS.length];
                breakRow(c, defect);
            }
            rows.add(new Row(c, defect));
        }
        return rows;
    }

    private Unit unit(Random random, String place, String region) {
        int kind = random.nextInt(20);
        String type;
        String name;
        String prefix;
        if (kind < 15) {
            type = "10";
            prefix = "91";
            name = place + TRADE_NAMES[random.nextInt(TRADE_NAMES.length)] + LINES[random.nextInt(LINES.length)]
                    + FORMS[random.nextInt(FORMS.length)];
            if (random.nextInt(8) == 0) {
                name += ",分公司"; // a comma in a name: the CSV must quote it
            }
        } else if (kind < 18) {
            type = kind == 15 ? "30" : "50";
            prefix = "12";
            name = place + INSTITUTIONS[random.nextInt(INSTITUTIONS.length)];
        } else {
            type = kind == 18 ? "70" : "80";
            prefix = kind == 18 ? "51" : "52";
            name = place + ASSOCIATIONS[random.nextInt(ASSOCIATIONS.length)];
        }
        int employees = type.equals("10") ? (random.nextInt(10) == 0 ? 300 + random.nextInt(900) : 3 + random.nextInt(200))
                : 10 + random.nextInt(150);
        StringBuilder code = new StringBuilder(prefix).append(region);
        for (int k = 0; k < 9; k++) {
            code.append("0123456789ABCDEFGHJKLMNPQRTUWXY".charAt(random.nextInt(k < 8 ? 10 : 31)));
        }
        code.append(CreditCodes.checkCharacter(code.toString()));
        boolean defers = type.equals("10") && random.nextInt(15) == 0;
        int deferralMonths = 3 + random.nextInt(6); // 3 … 8: some ask for more than the 6 months allowed
        if (!type.equals("10")) {
            return new Unit(code.toString(), name, type, region, employees, false, "", "", "", "", 0);
        }
        String industry = INDUSTRIES[random.nextInt(INDUSTRIES.length)];
        BigDecimal revenue = BigDecimal.valueOf(Math.round(Math.exp(random.nextDouble() * 11) * 100), 2);
        BigDecimal assets = BigDecimal.valueOf(Math.round(Math.exp(random.nextDouble() * 11) * 100), 2);
        String size = SIZES.classify(industry, (long) employees, revenue.movePointRight(6).longValueExact(),
                assets.movePointRight(6).longValueExact()).sizeClass();
        int sizeIndex = SIZE_CLASSES.indexOf(size);
        String sizeCode = "";
        int given = random.nextInt(10);
        if (given < 4) {
            sizeCode = Integer.toString(sizeIndex + 1); // HRSS's class, as the standard gives it
        } else if (given == 4) {
            sizeCode = Integer.toString(sizeIndex == 3 ? 3 : sizeIndex + 2); // HRSS's class differs from the standard
        }
        return new Unit(code.toString(), name, type, region, employees, defers, industry, revenue.toPlainString(),
                assets.toPlainString(), sizeCode, deferralMonths);
    }

    private static String part(BigDecimal base, String rate, BigDecimal share) {
        return base.multiply(new BigDecimal(rate)).multiply(share).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static void breakRow(Map<String, String> c, String defect) {
        switch (defect) {
            case "credit code with a wrong check character" -> {
                String code = c.get(CODE);
                char wrong = code.charAt(17) == '0' ? '1' : '0';
                c.put(CODE, code.substring(0, 17) + wrong);
            }
            case "unknown unit type code" -> c.put(TYPE, "99");
            case "period that is not a month" -> c.put(PERIOD, c.get(PERIOD).substring(0, 4) + "13");
            case "head count that is not a number" -> c.put(EMPLOYEES, "十二");
            case "contribution with fractions of a fen" -> c.put(PENSION, "1234.567");
            case "region code missing from GB/T 2260" -> c.put(REGION, "369999");
            case SHORT_LINE -> {
                // written short: see csv() and fixedWidth()
            }
            default -> throw new IllegalArgumentException(defect);
        }
    }

    /** A city bureau's export: GBK CSV, Chinese header row, CRLF; fields with commas or quotes quoted. */
    public static byte[] csv(List<Row> rows) {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
        for (Row row : rows) {
            List<String> fields = new ArrayList<>();
            for (String column : COLUMNS) {
                fields.add(quote(row.columns().get(column)));
            }
            if (SHORT_LINE.equals(row.defect())) {
                fields = fields.subList(0, 8); // the export was cut off
            }
            out.append(String.join(",", fields)).append("\r\n");
        }
        return out.toString().getBytes(GBK);
    }

    private static String quote(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    /**
     * A county office's export: one title line, then fixed-width GBK lines (text left-aligned,
     * numbers right-aligned, padded with spaces to the byte widths of the layout).
     */
    public static byte[] fixedWidth(String title, List<Row> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((title + "\r\n").getBytes(GBK));
        for (Row row : rows) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int i = 0; i < COLUMNS.size(); i++) {
                boolean number = (i >= 4 && i <= 8) || i == 12 || i == 13 || i == 15;
                line.writeBytes(pad(row.columns().get(COLUMNS.get(i)), WIDTHS[i], number));
            }
            byte[] bytes = line.toByteArray();
            if (SHORT_LINE.equals(row.defect())) {
                bytes = java.util.Arrays.copyOf(bytes, 100); // the export was cut off
            }
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(GBK));
        }
        return out.toByteArray();
    }

    private static byte[] pad(String value, int width, boolean right) {
        byte[] v = value.getBytes(GBK);
        if (v.length > width) {
            throw new IllegalArgumentException("'" + value + "' is longer than " + width + " bytes");
        }
        byte[] field = new byte[width];
        java.util.Arrays.fill(field, (byte) ' ');
        System.arraycopy(v, 0, field, right ? width - v.length : 0, v.length);
        return field;
    }
}
