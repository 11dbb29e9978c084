package org.govhub.report;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds an installed font that renders Chinese. Without one, Java draws empty boxes (tofu) for
 * every Chinese character; the report refuses to draw its chart instead of doing that silently.
 */
public final class CjkFonts {

    /** Text every chart font must render: the report's title, labels and city names use these. */
    public static final String SAMPLE = "每周复工复产情况各设区市复工率全省南昌九江赣州吉安宜春抚州上饶景德镇萍乡新余鹰潭";
    private static final List<String> PREFERRED = List.of("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
            "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Serif CJK SC");

    private CjkFonts() {
    }

    /** The font family to draw with: {@code preferred} if it renders Chinese, else the first installed one that does. */
    public static String family(String preferred) {
        List<String> installed = Arrays.asList(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames());
        List<String> candidates = new ArrayList<>();
        if (preferred != null && !preferred.isBlank()) {
            candidates.add(preferred);
        }
        candidates.addAll(PREFERRED);
        for (String name : candidates) {
            if (installed.contains(name) && rendersChinese(name)) {
                return name;
            }
        }
        for (String name : installed) {
            if (rendersChinese(name)) {
                return name;
            }
        }
        throw new IllegalStateException("no installed font renders Chinese, so the report chart would show empty boxes;"
                + " install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or name one with govhub.report.chart-font"
                + (preferred == null || preferred.isBlank() ? "" : " (the configured '" + preferred + "' cannot)"));
    }

    static boolean rendersChinese(String family) {
        Font f = new Font(family, Font.PLAIN, 12);
        // Java maps an unknown family to Dialog; only accept the family itself
        return f.getFamily().equals(family) && f.canDisplayUpTo(SAMPLE) == -1;
    }
}
