package org.govhub.report;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.govhub.normalise.RegionCodes;

/**
 * Builds the report's content (the JSON document every format is written from) out of the
 * database's aggregates. Deterministic: the same records give the same document, byte for byte,
 * so a regeneration is recognised by its checksum. No generation time inside (that is the manifest's).
 */
public final class ReportContent {

    public static final String TITLE = "每周复工复产情况";

    /** GB/T 4754-2017 sections 门类. */
    public static final Map<String, String> SECTIONS = Map.ofEntries(
            Map.entry("A", "农、林、牧、渔业"), Map.entry("B", "采矿业"), Map.entry("C", "制造业"),
            Map.entry("D", "电力、热力、燃气及水生产和供应业"), Map.entry("E", "建筑业"), Map.entry("F", "批发和零售业"),
            Map.entry("G", "交通运输、仓储和邮政业"), Map.entry("H", "住宿和餐饮业"), Map.entry("I", "信息传输、软件和信息技术服务业"),
            Map.entry("J", "金融业"), Map.entry("K", "房地产业"), Map.entry("L", "租赁和商务服务业"),
            Map.entry("M", "科学研究和技术服务业"), Map.entry("N", "水利、环境和公共设施管理业"),
            Map.entry("O", "居民服务、修理和其他服务业"), Map.entry("P", "教育"), Map.entry("Q", "卫生和社会工作"),
            Map.entry("R", "文化、体育和娱乐业"), Map.entry("S", "公共管理、社会保障和社会组织"), Map.entry("T", "国际组织"));

    /** Priority classes of rules/priority-classes.yaml. */
    public static final Map<Integer, String> CLASSES = Map.of(1, "一类：疫情防控必需", 2, "二类：经济民生必需",
            3, "三类：其他", 4, "四类：封闭性聚集场所");

    /** Every figure's definition, written into the report (JSON, XLSX sheet 说明, CSV header block). */
    public static List<Map<String, String>> definitions(ReportProperties.Lagging lagging) {
        List<Map<String, String>> d = new ArrayList<>();
        def(d, "统计口径", "scope", "截至报告周周日24:00（北京时间，即下周一00:00）：每份复工复产备案（按来源和备案编号）计一次，取其在该时点有效的最新版本（更新时间早于该时点的最后一版）。按企业所在县级行政区划代码的前4位+00归入设区市；全省为各设区市之和。");
        def(d, "已备案企业数", "filed", "截止时点前已备案且未撤回（状态不是WITHDRAWN）的备案数。");
        def(d, "应复工企业数", "shouldResume", "已备案企业中，已复工或计划复工日期不晚于报告周周日的企业数。");
        def(d, "已复工企业数", "resumed", "已备案企业中，截止时点状态为已复工（RESUMED）且实际复工日期（如有）不晚于报告周周日的企业数；暂停（SUSPENDED）的不计。");
        def(d, "复工率", "resumptionRate", "已复工企业数 ÷ 应复工企业数 × 100%，保留两位小数；应复工为0时空白（—）。");
        def(d, "规上工业企业", "aboveDesignated", "规模以上工业企业：行业门类B、C、D且上年营业收入≥2000万元（GovHub按国家统计局标准计算）。");
        def(d, "中小企业", "sme", "按工信部联企业〔2011〕300号划型为中型、小型、微型的企业（GovHub按标准计算的规模，无法计算时用企业申报的规模）。");
        def(d, "重大项目", "majorProject", "备案标记为重大项目的企业；其应复工、已复工、复工率口径同上。");
        def(d, "返岗率", "returnRate", "已备案企业已返岗人数之和 ÷ 员工总数之和 × 100%。");
        def(d, "产能恢复率", "capacityAverage", "已复工且填报产能恢复率的企业的产能恢复率算术平均值（%）；填报企业数另列。");
        def(d, "周环比", "change", "与上一周（同口径、上周日24:00时点）相比：已备案、已复工企业数之差，复工率之差（百分点）。");
        def(d, "行业门类", "industrySection", "国民经济行业分类（GB/T 4754-2017）门类，取行业代码首字母。");
        def(d, "优先级类别", "priorityClass", "GovHub急用先行优先级（rules/priority-classes.yaml）：一类疫情防控必需，二类经济民生必需（含重大项目），三类其他，四类封闭性聚集场所。");
        def(d, "进度滞后", "lagging", "满足任一条件的设区市：（1）复工率低于全省复工率超过" + plain(lagging.rateGapPoints())
                + "个百分点；（2）连续" + lagging.stalledWeeks() + "周已复工企业数未增加，且这几周每周都有应复工未复工的企业。");
        return d;
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static void def(List<Map<String, String>> d, String term, String field, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("term", term);
        m.put("field", field);
        m.put("definition", text);
        d.add(m);
    }

    /**
     * @param current  this week's cube per city
     * @param earlier  earlier weeks per city, most recent first (earlier.get(0) is the previous week)
     */
    public static Map<String, Object> build(String reportId, ReportWeek week, ZoneId zone, String province,
            RegionCodes regions, ReportProperties.Lagging lagging, Map<String, Map<String, Counts>> current,
            List<Map<String, Counts>> earlier) {
        List<String> cities = new ArrayList<>(regions.citiesUnder(province));
        for (String c : current.keySet()) { // a city missing from the table still counts (never silently dropped)
            if (!cities.contains(c)) {
                cities.add(c);
            }
        }
        Map<String, Counts> provinceCube = new LinkedHashMap<>();
        current.values().forEach(cube -> cube.forEach((k, v) -> provinceCube.computeIfAbsent(k, x -> new Counts()).add(v)));
        List<Counts> provinceEarlier = earlier.stream().map(ReportContent::sum).toList();

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("reportId", reportId);
        doc.put("title", TITLE);
        doc.put("week", week.toString());
        doc.put("weekStart", week.monday().toString());
        doc.put("weekEnd", week.sunday().toString());
        doc.put("cutOff", week.cutOff(zone).toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        doc.put("timeZone", zone.getId());
        Map<String, Object> provinceNode = new LinkedHashMap<>(); // ordered: the JSON file must be the same bytes every time
        provinceNode.put("code", province + "0000");
        provinceNode.put("name", regions.name(province + "0000").orElse(province));
        doc.put("province", provinceNode);
        doc.put("definitions", definitions(lagging));
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("rateGapPoints", lagging.rateGapPoints());
        rule.put("stalledWeeks", lagging.stalledWeeks());
        doc.put("laggingRule", rule);

        Counts provinceAll = provinceCube.getOrDefault(WeeklyFigures.ALL, new Counts());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String city : cities) {
            Map<String, Counts> cube = current.getOrDefault(city, Map.of());
            List<Counts> history = earlier.stream().map(m -> m.getOrDefault(city, new Counts())).toList();
            rows.add(row(city, regions.name(city).orElse(city), cube, history, provinceAll, lagging));
        }
        doc.put("cities", rows);
        Map<String, Object> total = row(province + "0000", regions.name(province + "0000").orElse(province), provinceCube,
                provinceEarlier, provinceAll, null);
        doc.put("provinceTotal", total);

        List<Map<String, Object>> sections = new ArrayList<>();
        List<Map<String, Object>> classes = new ArrayList<>();
        breakdown(sections, classes, province + "0000", (String) total.get("name"), provinceCube);
        for (String city : cities) {
            breakdown(sections, classes, city, regions.name(city).orElse(city), current.getOrDefault(city, Map.of()));
        }
        doc.put("byIndustrySection", sections);
        doc.put("byPriorityClass", classes);
        doc.put("laggingCities", rows.stream().filter(r -> Boolean.TRUE.equals(r.get("lagging")))
                .map(r -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("code", r.get("code"));
                    entry.put("name", r.get("name"));
                    entry.put("reasons", r.get("laggingReasons"));
                    return entry;
                }).toList());
        return doc;
    }

    private static Counts sum(Map<String, Counts> byCity) {
        Counts c = new Counts();
        byCity.values().forEach(c::add);
        return c;
    }

    private static Map<String, Object> row(String code, String name, Map<String, Counts> cube, List<Counts> history,
            Counts province, ReportProperties.Lagging lagging) {
        Counts all = cube.getOrDefault(WeeklyFigures.ALL, new Counts());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("code", code);
        r.put("name", name);
        r.putAll(all.full());
        r.put("aboveDesignated", cube.getOrDefault(WeeklyFigures.ABOVE_DESIGNATED, new Counts()).basic());
        r.put("sme", cube.getOrDefault(WeeklyFigures.SME, new Counts()).basic());
        r.put("majorProject", cube.getOrDefault(WeeklyFigures.MAJOR_PROJECT, new Counts()).basic());
        Counts previous = history.isEmpty() ? new Counts() : history.get(0);
        r.put("previousWeek", previous.basic());
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("filed", all.filed - previous.filed);
        change.put("resumed", all.resumed - previous.resumed);
        BigDecimal now = all.resumptionRate();
        BigDecimal before = previous.resumptionRate();
        change.put("ratePoints", now == null || before == null ? null : now.subtract(before));
        r.put("change", change);
        if (lagging != null) {
            List<String> reasons = new ArrayList<>();
            BigDecimal provinceRate = province.resumptionRate();
            // compared exactly, not on the two-decimal rates shown (60.0049 - 49.995 is more than 10)
            if (now != null && provinceRate != null
                    && province.exactResumptionRate().subtract(all.exactResumptionRate()).compareTo(BigDecimal.valueOf(lagging.rateGapPoints())) > 0) {
                reasons.add("复工率" + now.toPlainString() + "%低于全省" + provinceRate.toPlainString() + "%超过"
                        + plain(lagging.rateGapPoints()) + "个百分点");
            }
            if (stalled(all, history, lagging.stalledWeeks())) {
                reasons.add("连续" + lagging.stalledWeeks() + "周已复工企业数未增加（" + all.resumed + "家）");
            }
            r.put("lagging", !reasons.isEmpty());
            r.put("laggingReasons", reasons);
            r.put("remark", all.filed == 0 ? "无备案" : "");
        }
        return r;
    }

    /**
     * No growth in resumed enterprises in each of the last {@code weeks} weeks, while some should still
     * resume in each of them (a city whose first filings came this week has not had weeks without progress).
     */
    static boolean stalled(Counts now, List<Counts> history, int weeks) {
        if (weeks <= 0 || history.size() < weeks || now.shouldResume == 0 || now.resumed >= now.shouldResume) {
            return false;
        }
        long later = now.resumed;
        for (int i = 0; i < weeks; i++) {
            Counts earlier = history.get(i);
            // each week of the stall had enterprises still to resume (the oldest week is only the baseline)
            if (i < weeks - 1 && (earlier.shouldResume == 0 || earlier.resumed >= earlier.shouldResume)) {
                return false;
            }
            if (later > earlier.resumed) {
                return false;
            }
            later = history.get(i).resumed;
        }
        return true;
    }

    private static void breakdown(List<Map<String, Object>> sections, List<Map<String, Object>> classes, String code,
            String name, Map<String, Counts> cube) {
        for (String key : new TreeSet<>(cube.keySet())) {
            Counts c = cube.get(key);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("code", code);
            r.put("name", name);
            if (key.startsWith(WeeklyFigures.SECTION)) {
                String s = key.substring(WeeklyFigures.SECTION.length());
                r.put("section", s);
                r.put("sectionName", SECTIONS.getOrDefault(s, s));
                r.putAll(c.basic());
                sections.add(r);
            } else if (key.startsWith(WeeklyFigures.PRIORITY)) {
                int k = Integer.parseInt(key.substring(WeeklyFigures.PRIORITY.length()));
                r.put("priorityClass", k);
                r.put("priorityClassName", CLASSES.getOrDefault(k, String.valueOf(k)));
                r.putAll(c.basic());
                classes.add(r);
            }
        }
    }
}
