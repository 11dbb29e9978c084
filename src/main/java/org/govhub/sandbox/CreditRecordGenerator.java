package org.govhub.sandbox;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.govhub.normalise.IdentityNumbers;

/**
 * Generates the credit events a provincial credit portal (信用中国(江西) style) publishes: loan
 * overdues, dishonest-list entries and penalties of enterprises and of persons, with the epidemic
 * circumstances the 2020 notices care about. Persons carry GB 11643 identity numbers (generated,
 * with correct check characters unless broken on purpose). Every {@code invalidEvery}-th event is
 * broken on purpose. Stage 1 holds later versions: epidemic-caused overdues repaired (信用修复, new
 * content) and events the portal merely touched (new updatedAt, same content).
 */
public final class CreditRecordGenerator {

    static final String[] DEFECTS = {
        "invalid identity number",
        "credit code with a wrong check character",
        "unknown credit category",
        "region code missing from GB/T 2260",
        "impossible occurrence date",
    };

    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"};
    private static final String[] TRADE_NAMES = {"洪城", "赣鄱", "豫章", "浔阳", "瓷都", "红都", "抚河", "信江"};
    private static final String[] LINES = {"商贸", "物流", "餐饮", "建材", "纺织", "电子"};
    private static final OffsetDateTime START = OffsetDateTime.parse("2020-02-15T09:00:00+08:00");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final Random random;
    private final List<String> counties;
    private final int invalidEvery;
    private final FilingGenerator codes;

    public CreditRecordGenerator(long seed, List<String> counties, int invalidEvery) {
        this.random = new Random(seed);
        this.counties = counties;
        this.invalidEvery = invalidEvery;
        this.codes = new FilingGenerator(seed + 1, counties, 0);
    }

    public List<SandboxFeed.Version> generate(int count) {
        List<SandboxFeed.Version> versions = new ArrayList<>();
        OffsetDateTime clock = START;
        int broken = 0;
        for (int i = 1; i <= count; i++) {
            clock = clock.plusSeconds(random.nextInt(3) == 0 ? 0 : 30 + random.nextInt(5000));
            boolean person = random.nextInt(5) < 2;
            String defect = null;
            if (invalidEvery > 0 && i % invalidEvery == 0) {
                defect = DEFECTS[broken++ % DEFECTS.length];
                person = defect.equals("invalid identity number") || (person && !defect.startsWith("credit code"));
            }
            Map<String, Object> r = record(String.format("JXXY2020%05d", 10000 + i * 7), clock, person);
            if (defect != null) {
                breakRecord(r, defect);
            }
            versions.add(new SandboxFeed.Version((String) r.get("recordNo"), 0, r, defect, true));
        }
        OffsetDateTime later = clock.plusDays(15);
        List<SandboxFeed.Version> revisions = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            SandboxFeed.Version v = versions.get(i);
            if (v.defect() != null) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> epidemic = (Map<String, Object>) v.item().get("epidemic");
            if ("01".equals(v.item().get("category")) && "是".equals(epidemic.get("related")) && i % 2 == 0) {
                // the overdue was caused by the epidemic: repaired (信用修复), a new version with new content
                later = later.plusSeconds(i % 3 == 0 ? 0 : 90);
                Map<String, Object> repaired = FilingGenerator.copy(v.item());
                repaired.put("category", "04");
                repaired.put("updatedAt", later.format(ISO));
                revisions.add(new SandboxFeed.Version(v.id(), 1, repaired, null, true));
            } else if (i % 11 == 5) {
                // the portal re-saved the event: updatedAt moves, nothing it says changes
                later = later.plusSeconds(45);
                Map<String, Object> touched = FilingGenerator.copy(v.item());
                touched.put("updatedAt", later.format(ISO));
                revisions.add(new SandboxFeed.Version(v.id(), 1, touched, null, false));
            }
        }
        versions.addAll(revisions);
        return versions;
    }

    private Map<String, Object> record(String recordNo, OffsetDateTime updatedAt, boolean person) {
        String region = counties.get(random.nextInt(counties.size()));
        Map<String, Object> subject = new LinkedHashMap<>();
        subject.put("type", person ? "自然人" : "法人");
        subject.put("code", person ? identityNumber(region) : codes.creditCode(region));
        subject.put("name", person ? SURNAMES[random.nextInt(SURNAMES.length)] + GIVEN[random.nextInt(GIVEN.length)]
                + (random.nextBoolean() ? GIVEN[random.nextInt(GIVEN.length)] : "")
                : TRADE_NAMES[random.nextInt(TRADE_NAMES.length)] + LINES[random.nextInt(LINES.length)] + "有限公司");
        String category = random.nextInt(10) < 7 ? "01" : random.nextBoolean() ? "02" : "03";
        boolean related = random.nextInt(3) > 0;
        Map<String, Object> epidemic = new LinkedHashMap<>();
        epidemic.put("related", related ? "是" : "否");
        if (person && related) {
            epidemic.put("situation", "0" + (1 + random.nextInt(5)));
        }
        if (!person && related) {
            epidemic.put("commitmentSigned", random.nextBoolean() ? "Y" : "N");
        }
        BigDecimal amount = BigDecimal.valueOf(100_00 + random.nextInt(50_000_000), 2);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("recordNo", recordNo);
        r.put("updatedAt", updatedAt.format(ISO));
        r.put("subject", subject);
        r.put("category", category);
        r.put("amountYuan", random.nextBoolean() ? new DecimalFormat("#,##0.00").format(amount) : amount.toPlainString());
        r.put("occurredOn", codes.dateText(LocalDate.of(2020, 1, 20).plusDays(random.nextInt(50))));
        r.put("epidemic", epidemic);
        r.put("divisionCode", region);
        return r;
    }

    private void breakRecord(Map<String, Object> r, String defect) {
        @SuppressWarnings("unchecked")
        Map<String, Object> subject = (Map<String, Object>) r.get("subject");
        switch (defect) {
            case "invalid identity number", "credit code with a wrong check character" -> {
                String code = (String) subject.get("code");
                char check = code.charAt(17);
                subject.put("code", code.substring(0, 17) + (check == '0' ? '1' : '0'));
            }
            case "unknown credit category" -> r.put("category", "99");
            case "region code missing from GB/T 2260" -> r.put("divisionCode", "369999");
            case "impossible occurrence date" -> r.put("occurredOn", "2020-13-01");
            default -> throw new IllegalArgumentException(defect);
        }
    }

    /** A GB 11643 number of someone born 1955–2000 in the region, with its MOD 11-2 check character. */
    private String identityNumber(String region) {
        LocalDate birth = LocalDate.of(1955, 1, 1).plusDays(random.nextInt(45 * 365));
        String first17 = region + String.format("%04d%02d%02d%03d", birth.getYear(), birth.getMonthValue(),
                birth.getDayOfMonth(), random.nextInt(1000));
        return first17 + IdentityNumbers.checkCharacter(first17);
    }
}
