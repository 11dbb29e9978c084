package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The font the hub carries draws every Chinese character the report can need with a glyph of its
 * own: the names of the region-code tables, all of GB 2312, the sample. It is the font object loaded
 * from the jar, so this holds on a machine with no Chinese font installed.
 */
class CjkFontsTest {

    static final Font FONT = CjkFonts.bundled().deriveFont(Font.PLAIN, 40f);

    @Test
    void theChartIsDrawnWithTheBundledNotoSansCjkScUnlessAnotherFontIsConfigured() {
        assertThat(FONT.getFamily(Locale.ROOT)).isEqualTo("Noto Sans CJK SC");
        assertThat(CjkFonts.chartFont("")).isSameAs(CjkFonts.bundled());
        assertThat(CjkFonts.chartFont(null)).isSameAs(CjkFonts.bundled());
        // registered: its family name resolves on any machine (to the installed full font where there is one)
        assertThat(CjkFonts.chartFont("Noto Sans CJK SC").getFamily(Locale.ROOT)).isEqualTo("Noto Sans CJK SC");
    }

    @Test
    void everyChineseCharacterOfTheRegionCodeTablesAndOfTheSampleHasItsOwnGlyph() throws IOException {
        StringBuilder text = new StringBuilder(CjkFonts.SAMPLE);
        for (String table : List.of("provinces.csv", "cities.csv", "areas.csv")) {
            try (InputStream in = CjkFontsTest.class.getResourceAsStream("/reference/region-codes/" + table)) {
                text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        int[] chinese = text.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN).distinct().toArray();
        assertThat(chinese.length).as("distinct Chinese characters in the tables").isGreaterThan(1200);
        assertThat(withoutOwnGlyph(chinese)).isEmpty();
    }

    @Test
    void everyCharacterOfGb2312HasItsOwnGlyph() {
        List<Integer> gb2312 = new ArrayList<>();
        int hanzi = 0;
        CharsetDecoder decoder = Charset.forName("GB2312").newDecoder();
        for (int row = 0xA1; row <= 0xF7; row++) {
            for (int cell = 0xA1; cell <= 0xFE; cell++) {
                try {
                    gb2312.add(decoder.decode(ByteBuffer.wrap(new byte[] {(byte) row, (byte) cell})).toString().codePointAt(0));
                    hanzi += row >= 0xB0 ? 1 : 0; // rows 16 to 87
                } catch (CharacterCodingException unassigned) {
                    // a gap in the table
                }
            }
        }
        assertThat(hanzi).isEqualTo(6763);
        assertThat(gb2312).hasSize(6763 + 682);
        assertThat(withoutOwnGlyph(gb2312.stream().mapToInt(Integer::intValue).toArray())).isEmpty();
    }

    @Test
    void aConfiguredFontThatIsNotInstalledOrCannotRenderChineseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> CjkFonts.chartFont("No Such Font"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'No Such Font', which is not an installed font")
                .hasMessageContaining("leave it empty for the bundled Noto Sans CJK SC");
        // an installed family without Chinese (without a Chinese font installed: the logical fonts, Dialog, SansSerif, ...)
        Optional<String> latinOnly = Arrays.stream(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT))
                .filter(family -> new Font(family, Font.PLAIN, 12).canDisplayUpTo(CjkFonts.SAMPLE) != -1).findFirst();
        assumeTrue(latinOnly.isPresent(), "every installed font renders Chinese");
        assertThatThrownBy(() -> CjkFonts.chartFont(latinOnly.get()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'" + latinOnly.get() + "', which cannot render Chinese (no glyph for '")
                .hasMessageContaining("the chart would show empty boxes");
    }

    /** The characters the font draws as its missing glyph, or as nothing (a space excepted). */
    static List<String> withoutOwnGlyph(int[] codePoints) {
        FontRenderContext frc = new FontRenderContext(null, true, true);
        int missing = FONT.getMissingGlyphCode();
        return IntStream.of(codePoints).filter(c -> {
            GlyphVector glyph = FONT.createGlyphVector(frc, Character.toString(c));
            boolean ink = Character.isSpaceChar(c) || !glyph.getGlyphOutline(0).getBounds2D().isEmpty();
            return !FONT.canDisplay(c) || glyph.getNumGlyphs() != 1 || glyph.getGlyphCode(0) == missing || !ink;
        }).mapToObj(Character::toString).toList();
    }
}
