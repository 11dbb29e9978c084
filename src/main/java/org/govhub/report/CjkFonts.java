package org.govhub.report;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The chart's font. The hub carries one that renders Chinese (Noto Sans CJK SC, subset, in
 * {@code fonts/}, see its SOURCE.md), so drawing does not depend on what the machine has installed;
 * {@code govhub.report.chart-font} may name an installed family instead, which must render Chinese
 * too: Java would draw empty boxes (tofu) for every Chinese character, and the report refuses that.
 */
public final class CjkFonts {

    /** Text every chart font must render: the report's title, labels and city names use these. */
    public static final String SAMPLE = "每周复工复产情况各设区市复工率全省南昌九江赣州吉安宜春抚州上饶景德镇萍乡新余鹰潭";
    static final String BUNDLED = "/fonts/NotoSansCJKsc-Regular-subset.otf";

    private static Font loaded;

    private CjkFonts() {
    }

    /**
     * The bundled font, loaded from the class path once and registered with the graphics environment
     * (so its family name resolves too; where the full font is installed under the same name, that one keeps the name).
     */
    public static synchronized Font bundled() {
        if (loaded == null) {
            try (InputStream in = CjkFonts.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled chart font " + BUNDLED + " is missing from the class path");
                }
                Font font = Font.createFont(Font.TRUETYPE_FONT, in);
                GraphicsEnvironment.getLocalGraphicsEnvironment().registerFont(font);
                loaded = font;
            } catch (IOException | FontFormatException e) {
                throw new IllegalStateException("cannot load the bundled chart font " + BUNDLED + ": " + e.getMessage(), e);
            }
        }
        return loaded;
    }

    /** The font to draw the chart with: the bundled one, or the installed family {@code configured} names if it renders Chinese. */
    public static Font chartFont(String configured) {
        Font bundled = bundled(); // loaded first: configured may name its family
        if (configured == null || configured.isBlank()) {
            return bundled;
        }
        Font font = new Font(configured, Font.PLAIN, 12);
        // Java maps an unknown family to Dialog; only accept the family (or face) itself
        if (Stream.of(font.getFamily(Locale.ROOT), font.getFamily(), font.getFontName(Locale.ROOT)).noneMatch(configured::equalsIgnoreCase)) {
            throw new IllegalStateException("govhub.report.chart-font names '" + configured + "', which is not an installed font;"
                    + " name an installed one that renders Chinese, or leave it empty for the bundled " + bundled.getFamily(Locale.ROOT));
        }
        int missing = font.canDisplayUpTo(SAMPLE);
        if (missing != -1) {
            throw new IllegalStateException("govhub.report.chart-font names '" + configured + "', which cannot render Chinese (no glyph for '"
                    + SAMPLE.charAt(missing) + "'), so the chart would show empty boxes; name one that can, or leave it empty for the bundled "
                    + bundled.getFamily(Locale.ROOT));
        }
        return font;
    }

    /** What the start-up log says about the chart's font. */
    static String describe(Font font) {
        return font.getFontName(Locale.ROOT) + (font == bundled() ? " (bundled with the hub)" : " (installed)");
    }
}
