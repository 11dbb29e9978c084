package org.govhub.sandbox;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.govhub.normalise.CreditCodes;
import org.govhub.normalise.IdentityNumbers;

/**
 * Credit events as a provincial credit-reference centre's export table holds them for early 2020:
 * overdue loans of enterprises and of people (some of them patients, isolated, prevention
 * workers), dishonest-list entries, penalties and repairs. Every {@code invalidEvery}-th row is
 * broken on purpose and says how.
 */
public final class CreditReferenceGenerator {

    static final String[] DEFECTS = {
        "identity number with a wrong check character",
        "identity number with an impossible birth date",
        "enterprise credit code with a wrong check character",
        "unknown record type code",
        "negative amount",
        "region code missing from GB/T 2260",
    };

    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "罗"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"};
    private static final String[] FIRMS = {"赣鄱", "豫章", "滕王阁", "红谷", "昌北", "象湖", "瑶湖", "青山湖"};
    private static final String[] TRADES = {"商贸", "餐饮", "物流", "建材", "服装", "旅游"};
    /** 记录类型: 01 逾期 02 失信 03 行政处罚 04 信用修复. */
    private static final String[] RECORD_TYPES = {"01", "01", "01", "01", "02", "03", "04"};
    /** 疫情情况: 1 确诊 2 隔离 3 医学观察 4 防疫人员 5 失去收入 0 无. */
    private static final String[] SITUATIONS = {"0", "0", "0", "1", "2", "3", "4", "5", "5"};

    private final Random random;
    private final List<String> counties;
    private final int invalidEvery;

    public CreditReferenceGenerator(long seed, List<String> counties, int invalidEvery) {
        this.random = new Random(seed);
        this.counties = counties;
        this.invalidEvery = invalidEvery;
    }

    public List<GeneratedRow> generate(int count) {
        List<GeneratedRow> rows = new ArrayList<>(count);
        generate(count, rows::add);
        return rows;
    }

    /** The same rows, handed over one at a time (a benchmark's hundreds of thousands never sit in memory). */
    public void generate(int count, java.util.function.Consumer<GeneratedRow> sink) {
        int broken = 0;
        for (int i = 1; i <= count; i++) {
            String region = counties.get(random.nextInt(counties.size()));
            boolean person = random.nextInt(5) < 3;
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("event_id", (long) i);
            c.put("zt_lx", person ? "2" : "1");
            c.put("zt_dm", person ? identityNumber(region) : creditCode(region));
            c.put("zt_mc", person ? SURNAMES[random.nextInt(SURNAMES.length)] + GIVEN[random.nextInt(GIVEN.length)]
                    + (random.nextBoolean() ? GIVEN[random.nextInt(GIVEN.length)] : "")
                    : "南昌" + FIRMS[random.nextInt(FIRMS.length)] + TRADES[random.nextInt(TRADES.length)] + "有限公司");
            String type = RECORD_TYPES[random.nextInt(RECORD_TYPES.length)];
            c.put("jl_lx", type);
            c.put("je", type.equals("03") || type.equals("01")
                    ? BigDecimal.valueOf(100_000 + random.nextInt(50_000_000), 2) : null);
            c.put("fs_rq", Date.valueOf(LocalDate.of(2020, 1, 20).plusDays(random.nextInt(70))));
            boolean epidemic = random.nextInt(3) > 0;
            c.put("yq_yx", epidemic ? 1 : 0);
            c.put("yq_qk", person && epidemic ? SITUATIONS[random.nextInt(SITUATIONS.length)] : "0");
            c.put("hk_cn", !person && epidemic && random.nextBoolean() ? "Y" : "N");
            c.put("xzqh", region);
            String defect = null;
            if (invalidEvery > 0 && i % invalidEvery == 0) {
                defect = DEFECTS[broken++ % DEFECTS.length];
                breakRow(c, defect, region);
            }
            sink.accept(new GeneratedRow(Integer.toString(i), c, defect));
        }
    }

    private void breakRow(Map<String, Object> c, String defect, String region) {
        switch (defect) {
            case "identity number with a wrong check character" -> {
                String id = identityNumber(region);
                char wrong = id.charAt(17) == '1' ? '2' : '1';
                c.put("zt_lx", "2");
                c.put("zt_dm", id.substring(0, 17) + wrong);
            }
            case "identity number with an impossible birth date" -> {
                String body = region + "19870230" + String.format("%03d", random.nextInt(1000));
                c.put("zt_lx", "2");
                c.put("zt_dm", body + IdentityNumbers.checkCharacter(body));
            }
            case "enterprise credit code with a wrong check character" -> {
                String code = creditCode(region);
                c.put("zt_lx", "1");
                c.put("zt_dm", code.substring(0, 17) + (code.charAt(17) == '0' ? '1' : '0'));
            }
            case "unknown record type code" -> c.put("jl_lx", "09");
            case "negative amount" -> {
                c.put("jl_lx", "01");
                c.put("je", new BigDecimal("-500.00"));
            }
            case "region code missing from GB/T 2260" -> c.put("xzqh", "360000".equals(region) ? "369998" : "369999");
            default -> throw new IllegalArgumentException(defect);
        }
    }

    private String identityNumber(String region) {
        LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(random.nextInt(365 * 50));
        String body = region + String.format("%04d%02d%02d", birth.getYear(), birth.getMonthValue(), birth.getDayOfMonth())
                + String.format("%03d", random.nextInt(1000));
        return body + IdentityNumbers.checkCharacter(body);
    }

    private String creditCode(String region) {
        StringBuilder sb = new StringBuilder("91").append(region);
        for (int i = 0; i < 9; i++) {
            sb.append("0123456789ABCDEFGHJKLMNPQRTUWXY".charAt(random.nextInt(i < 8 ? 10 : 31)));
        }
        return sb.append(CreditCodes.checkCharacter(sb.toString())).toString();
    }
}
