package org.govhub.share;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.govhub.share.Catalog.DataResource;
import org.govhub.share.Catalog.Field;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/** The resource catalog for departments and operators: JSON at {@code /api/catalog}, a page at {@code /catalog}. */
@RestController
public class CatalogController {

    private final Catalog catalog;

    public CatalogController(Catalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/api/catalog")
    public Map<String, List<DataResource>> resources() {
        return Map.of("resources", catalog.resources());
    }

    @GetMapping("/api/catalog/{code}")
    public DataResource resource(@PathVariable String code) {
        return catalog.find(code).orElseThrow(() -> new NoSuchElementException("no resource " + code + " in the catalog"));
    }

    @GetMapping(value = "/catalog", produces = MediaType.TEXT_HTML_VALUE)
    public String page() {
        StringBuilder html = new StringBuilder("""
                <!doctype html>
                <html lang="zh"><head><meta charset="utf-8"><title>GovHub resource catalog 政务信息资源目录</title>
                <style>body{font-family:sans-serif;max-width:64em;margin:2em auto}table{border-collapse:collapse;margin-bottom:2em}
                td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}.p{color:#a00}</style></head><body>
                <h1>Resource catalog 政务信息资源目录</h1>
                <p>Request a resource with <code>POST /api/share/requests</code> (your department's API key).
                无条件共享 is granted at once; 有条件共享 is answered within 10 working days; 不予共享 is refused.</p>
                """);
        for (DataResource r : catalog.resources()) {
            html.append("<h2>").append(e(r.name())).append(" <small>").append(e(r.code())).append("</small></h2><p>")
                    .append(e(r.description())).append("</p><ul><li>Schema: ").append(e(r.schema() + " " + r.version()))
                    .append("</li><li>Provider: ").append(e(r.provider())).append("</li><li>Share type: ").append(e(label(r.shareType())))
                    .append("</li><li>Update frequency: ").append(e(r.updateFrequency())).append("</li><li>Conditions of use: ")
                    .append(e(r.conditions())).append("</li></ul><table><tr><th>field</th><th>type</th><th>meaning</th><th>personal data</th></tr>");
            for (Field f : r.fields()) {
                html.append("<tr><td>").append(e(f.name())).append("</td><td>").append(e(f.type())).append("</td><td>").append(e(f.meaning()))
                        .append("</td><td class=p>").append(f.personal() == null ? "" : e(f.personal() + (f.personalWhen().isEmpty() ? ""
                                : " when " + f.personalWhen()) + ", masked unless granted")).append("</td></tr>");
            }
            html.append("</table>");
        }
        return html.append("</body></html>").toString();
    }

    private static String label(Catalog.ShareType type) {
        return switch (type) {
            case UNCONDITIONAL -> "无条件共享 unconditional";
            case CONDITIONAL -> "有条件共享 conditional (approval within 10 working days)";
            case NOT_SHARED -> "不予共享 not shared";
        };
    }

    private static String e(String text) {
        return text == null ? "" : HtmlUtils.htmlEscape(text);
    }
}
