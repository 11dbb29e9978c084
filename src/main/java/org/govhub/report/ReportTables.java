package org.govhub.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's views as tables, each one XLSX sheet and one CSV file: the same headers, rows and
 * number formats in both.
 */
public final class ReportTables {

    /** How a column's numbers are shown. */
    public enum Kind { TEXT, COUNT, PERCENT, POINTS, DECIMAL }

    public record Column(String header, Kind kind) {
    }

    /** @param sheet sheet name (Chinese), @param file CSV file suffix (ASCII) */
    public record Table(String sheet, String file, String title, List<Column> columns, List<List<Object>> rows) {
    }

    private ReportTables() {
    }

    private static Column c(String header, Kind kind) {
        return new Column(header, kind);
    }

    @SuppressWarnings("unchecked")
    public static List<Table> of(Map<String, Object> doc) {
        String heading = ReportContent.TITLE + " " + doc.get("week") + "（" + doc.get("weekStart") + "至" + doc.get("weekEnd")
                + "） " + ((Map<String, Object>) doc.get("province")).get("name");
        List<Map<String, Object>> places = new ArrayList<>((List<Map<String, Object>>) doc.get("cities"));
        places.add((Map<String, Object>) doc.get("provinceTotal"));
        List<Table> tables = new ArrayList<>();

        List<List<Object>> summary = new ArrayList<>();
        for (Map<String, Object> p : places) {
            Map<String, Object> prev = (Map<String, Object>) p.get("previousWeek");
            Map<String, Object> change = (Map<String, Object>) p.get("change");
            summary.add(row(p.get("code"), p.get("name"), p.get("filed"), p.get("shouldResume"), p.get("resumed"),
                    p.get("resumptionRate"), prev.get("resumed"), change.get("resumed"), prev.get("resumptionRate"),
                    change.get("ratePoints"), p.get("employeesTotal"), p.get("employeesReturned"), p.get("returnRate"),
                    p.get("capacityReported"), p.get("capacityAverage"),
                    p.containsKey("lagging") ? (Boolean.TRUE.equals(p.get("lagging")) ? "是" : "否") : "",
                    p.containsKey("laggingReasons") ? String.join("；", (List<String>) p.get("laggingReasons")) : "",
                    p.getOrDefault("remark", "全省合计")));
        }
        tables.add(new Table("汇总", "cities", heading, List.of(c("区划代码", Kind.TEXT), c("设区市", Kind.TEXT),
                c("已备案企业数", Kind.COUNT), c("应复工企业数", Kind.COUNT), c("已复工企业数", Kind.COUNT), c("复工率", Kind.PERCENT),
                c("上周已复工企业数", Kind.COUNT), c("已复工周增减", Kind.COUNT), c("上周复工率", Kind.PERCENT),
                c("复工率周变化(百分点)", Kind.POINTS), c("员工总数", Kind.COUNT), c("已返岗人数", Kind.COUNT), c("返岗率", Kind.PERCENT),
                c("填报产能企业数", Kind.COUNT), c("产能恢复率(平均)", Kind.PERCENT), c("进度滞后", Kind.TEXT),
                c("滞后原因", Kind.TEXT), c("备注", Kind.TEXT)), summary));

        List<List<Object>> sizes = new ArrayList<>();
        for (Map<String, Object> p : places) {
            Map<String, Object> a = (Map<String, Object>) p.get("aboveDesignated");
            Map<String, Object> s = (Map<String, Object>) p.get("sme");
            sizes.add(row(p.get("code"), p.get("name"), a.get("filed"), a.get("shouldResume"), a.get("resumed"),
                    a.get("resumptionRate"), s.get("filed"), s.get("shouldResume"), s.get("resumed"), s.get("resumptionRate")));
        }
        tables.add(new Table("规上工业和中小企业", "size", heading, List.of(c("区划代码", Kind.TEXT), c("设区市", Kind.TEXT),
                c("规上工业已备案", Kind.COUNT), c("规上工业应复工", Kind.COUNT), c("规上工业已复工", Kind.COUNT),
                c("规上工业复工率", Kind.PERCENT), c("中小企业已备案", Kind.COUNT), c("中小企业应复工", Kind.COUNT),
                c("中小企业已复工", Kind.COUNT), c("中小企业复工率", Kind.PERCENT)), sizes));

        List<List<Object>> major = new ArrayList<>();
        for (Map<String, Object> p : places) {
            Map<String, Object> m = (Map<String, Object>) p.get("majorProject");
            major.add(row(p.get("code"), p.get("name"), m.get("filed"), m.get("shouldResume"), m.get("resumed"),
                    m.get("resumptionRate")));
        }
        tables.add(new Table("重大项目", "major-projects", heading, List.of(c("区划代码", Kind.TEXT), c("设区市", Kind.TEXT),
                c("重大项目已备案", Kind.COUNT), c("重大项目应复工", Kind.COUNT), c("重大项目已复工", Kind.COUNT),
                c("重大项目复工率", Kind.PERCENT)), major));

        List<List<Object>> sections = new ArrayList<>();
        for (Map<String, Object> s : (List<Map<String, Object>>) doc.get("byIndustrySection")) {
            sections.add(row(s.get("code"), s.get("name"), s.get("section"), s.get("sectionName"), s.get("filed"),
                    s.get("shouldResume"), s.get("resumed"), s.get("resumptionRate")));
        }
        tables.add(new Table("按行业门类", "sections", heading, List.of(c("区划代码", Kind.TEXT), c("地区", Kind.TEXT),
                c("门类", Kind.TEXT), c("门类名称", Kind.TEXT), c("已备案企业数", Kind.COUNT), c("应复工企业数", Kind.COUNT),
                c("已复工企业数", Kind.COUNT), c("复工率", Kind.PERCENT)), sections));

        List<List<Object>> classes = new ArrayList<>();
        for (Map<String, Object> s : (List<Map<String, Object>>) doc.get("byPriorityClass")) {
            classes.add(row(s.get("code"), s.get("name"), s.get("priorityClass"), s.get("priorityClassName"), s.get("filed"),
                    s.get("shouldResume"), s.get("resumed"), s.get("resumptionRate")));
        }
        tables.add(new Table("按优先级", "priority-classes", heading, List.of(c("区划代码", Kind.TEXT), c("地区", Kind.TEXT),
                c("优先级", Kind.COUNT), c("类别名称", Kind.TEXT), c("已备案企业数", Kind.COUNT), c("应复工企业数", Kind.COUNT),
                c("已复工企业数", Kind.COUNT), c("复工率", Kind.PERCENT)), classes));

        List<List<Object>> lagging = new ArrayList<>();
        for (Map<String, Object> l : (List<Map<String, Object>>) doc.get("laggingCities")) {
            lagging.add(row(l.get("code"), l.get("name"), String.join("；", (List<String>) l.get("reasons"))));
        }
        tables.add(new Table("滞后地区", "lagging", heading, List.of(c("区划代码", Kind.TEXT), c("设区市", Kind.TEXT),
                c("滞后原因", Kind.TEXT)), lagging));

        List<List<Object>> notes = new ArrayList<>();
        notes.add(row("报告", doc.get("reportId")));
        notes.add(row("报告周", doc.get("week") + "（" + doc.get("weekStart") + "至" + doc.get("weekEnd") + "）"));
        notes.add(row("统计截止时点", doc.get("cutOff")));
        for (Map<String, String> d : (List<Map<String, String>>) doc.get("definitions")) {
            notes.add(row(d.get("term"), d.get("definition")));
        }
        tables.add(new Table("说明", "definitions", heading, List.of(c("项目", Kind.TEXT), c("口径说明", Kind.TEXT)), notes));
        return tables;
    }

    private static List<Object> row(Object... values) {
        List<Object> r = new ArrayList<>();
        for (Object v : values) {
            r.add(v instanceof BigDecimal b ? b : v);
        }
        return r;
    }
}
