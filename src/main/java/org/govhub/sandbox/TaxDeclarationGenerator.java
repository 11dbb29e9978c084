package org.govhub.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.govhub.normalise.CreditCodes;

/**
 * Generates tax declarations as a Jiangxi tax bureau's export view would hold them for early 2020:
 * pinyin column names, text dates in the formats different tax-office systems write, amounts in 元
 * sometimes with thousands separators. Every {@code invalidEvery}-th row is broken on purpose, in
 * one of several realistic ways, and says so in {@link GeneratedRow#defect()}.
 */
public final class TaxDeclarationGenerator {

    static final String[] DEFECTS = {
        "credit code with a wrong check character",
        "region code missing from GB/T 2260",
        "impossible date and unreadable amount",
        "unknown tax type code",
        "no credit code and a negative payment",
        "amount with fractions of a fen",
        "deferral granted without an end date",
    };

    private static final String[] TRADE_NAMES = {"恒盛", "赣江", "洪都", "瑞丰", "鑫达", "华康", "绿野", "天工", "正邦",
        "晨鸣", "联创", "庐山", "井冈", "青云", "九州", "博雅"};
    private static final String[] LINES = {"医疗器械", "医药", "防护用品", "食品", "农业", "物流", "电子", "纺织",
        "建材", "商贸", "科技", "餐饮", "电力设备", "文化传媒"};
    private static final String[] FORMS = {"有限公司", "股份有限公司", "有限责任公司"};
    private static final String[] TAX_TYPES = {"10101", "10101", "10101", "10104", "10104", "10106", "10109", "10111"};

    private final Random random;
    private final List<String> counties;
    private final int invalidEvery;

    public TaxDeclarationGenerator(long seed, List<String> counties, int invalidEvery) {
        this.random = new Random(seed);
        this.counties = counties;
        this.invalidEvery = invalidEvery;
    }

    public List<GeneratedRow> generate(int count) {
        List<GeneratedRow> rows = new ArrayList<>(count);
        generate(count, rows::add);
        return rows;
    }

    /** The same rows, handed over one by one (for large sandboxes that should not sit in memory). */
    public void generate(int count, java.util.function.Consumer<GeneratedRow> sink) {
        int enterprises = Math.max(1, count / 3);
        List<String[]> taxpayers = new ArrayList<>();
        for (int i = 0; i < enterprises; i++) {
            String region = counties.get(random.nextInt(counties.size()));
            String city = TRADE_NAMES[random.nextInt(TRADE_NAMES.length)];
            String name = city + LINES[random.nextInt(LINES.length)] + FORMS[random.nextInt(FORMS.length)];
            // about one taxpayer in six files quarterly (纳税期限 08), the rest monthly (06)
            taxpayers.add(new String[] {creditCode(region), name, region, random.nextInt(3) == 0 ? "1" : "2",
                random.nextInt(6) == 0 ? "08" : "06"});
        }
        int broken = 0;
        for (int i = 1; i <= count; i++) {
            String[] tp = taxpayers.get(random.nextInt(taxpayers.size()));
            Map<String, Object> c = new LinkedHashMap<>();
            int month = tp[4].equals("08") ? 3 : 1 + random.nextInt(3); // a quarterly filer declares the first quarter
            LocalDate declared = LocalDate.of(2020, month + 1, 1 + random.nextInt(24));
            BigDecimal due = BigDecimal.valueOf(random.nextInt(5_000_000), 2).add(BigDecimal.valueOf(random.nextInt(200)));
            boolean deferred = random.nextInt(20) == 0;
            BigDecimal paid = deferred ? BigDecimal.ZERO.setScale(2)
                    : due.multiply(BigDecimal.valueOf(50 + random.nextInt(51))).divide(BigDecimal.valueOf(100), 2, RoundingMode.DOWN);
            c.put("decl_id", (long) i);
            c.put("nsrsbh", tp[0]);
            c.put("nsrmc", tp[1]);
            c.put("sssq", String.format("2020%02d", month));
            c.put("zsxm_dm", TAX_TYPES[random.nextInt(TAX_TYPES.length)]);
            c.put("nsrlx", tp[3]);
            c.put("sbrq", dateText(declared));
            c.put("ybtse", money(due));
            c.put("sjje", money(paid));
            c.put("yjbz", deferred ? "Y" : "N");
            c.put("yjqx", deferred ? dateText(declared.plusMonths(1 + random.nextInt(3))) : null);
            c.put("xzqh_dm", tp[2]);
            c.put("nsqx", tp[4]);
            String defect = null;
            if (invalidEvery > 0 && i % invalidEvery == 0) {
                defect = DEFECTS[broken++ % DEFECTS.length];
                breakRow(c, defect);
            }
            sink.accept(new GeneratedRow(Integer.toString(i), c, defect));
        }
    }

    private void breakRow(Map<String, Object> c, String defect) {
        switch (defect) {
            case "credit code with a wrong check character" -> {
                String code = (String) c.get("nsrsbh");
                char wrong = code.charAt(17) == '0' ? '1' : '0';
                c.put("nsrsbh", code.substring(0, 17) + wrong);
            }
            case "region code missing from GB/T 2260" -> c.put("xzqh_dm", "369999");
            case "impossible date and unreadable amount" -> {
                c.put("sbrq", "2020-02-30");
                c.put("ybtse", "12,3a4.00");
            }
            case "unknown tax type code" -> c.put("zsxm_dm", "99999");
            case "no credit code and a negative payment" -> {
                c.put("nsrsbh", "");
                c.put("sjje", "-100.00");
            }
            case "amount with fractions of a fen" -> c.put("ybtse", "1234.567");
            case "deferral granted without an end date" -> {
                c.put("yjbz", "Y");
                c.put("yjqx", null);
            }
            default -> throw new IllegalArgumentException(defect);
        }
    }

    /** A valid GB 32100 code: 9 (registered by market regulator) 1 (enterprise), region, org code, check. */
    private String creditCode(String region) {
        StringBuilder sb = new StringBuilder("91").append(region);
        for (int i = 0; i < 9; i++) {
            sb.append("0123456789ABCDEFGHJKLMNPQRTUWXY".charAt(random.nextInt(i < 8 ? 10 : 31)));
        }
        return sb.append(CreditCodes.checkCharacter(sb.toString())).toString();
    }

    private String dateText(LocalDate d) {
        return switch (random.nextInt(4)) {
            case 0 -> d.toString();
            case 1 -> String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
            case 2 -> d.getYear() + "/" + d.getMonthValue() + "/" + d.getDayOfMonth();
            default -> d.getYear() + "年" + d.getMonthValue() + "月" + d.getDayOfMonth() + "日";
        };
    }

    private String money(BigDecimal amount) {
        return random.nextBoolean() ? new DecimalFormat("#,##0.00").format(amount) : amount.toPlainString();
    }
}
