package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** GB 11643 identity numbers, GB/T 4754 industry codes, and the masking of personal data. */
class IdentifiersTest {

    private static final LocalDate TODAY = LocalDate.of(2020, 3, 1);

    @Test
    void identityNumberCheckCharacterIsIso7064Mod112() {
        // 11010519491231002X is the specimen number printed in GB 11643-1999 itself
        assertThat(IdentityNumbers.checkCharacter("11010519491231002")).isEqualTo('X');
        assertThat(IdentityNumbers.problem("11010519491231002X", TODAY)).isNull();
        assertThat(IdentityNumbers.problem("110105194912310021", TODAY)).contains("check character");
    }

    @Test
    void identityNumberBirthDateMustBeReal() {
        String feb30 = "36010219870230123";
        assertThat(IdentityNumbers.problem(feb30 + IdentityNumbers.checkCharacter(feb30), TODAY)).contains("not a calendar date");
        String future = "36010220250101123";
        assertThat(IdentityNumbers.problem(future + IdentityNumbers.checkCharacter(future), TODAY)).contains("impossible");
        assertThat(IdentityNumbers.problem("3601021987", TODAY)).contains("18 characters");
    }

    @Test
    void identityNumbersAreMaskedInTextButCreditCodesAreNot() {
        String text = "{\"zt_dm\":\"11010519491231002X\",\"nsrsbh\":\"91350100M000100Y43\"}";
        assertThat(IdentityNumbers.maskAll(text))
                .contains("110105**********2X")
                .doesNotContain("11010519491231002X")
                .contains("91350100M000100Y43");
        assertThat(IdentityNumbers.mask("11010519491231002X")).isEqualTo("110105**********2X");
        // as departments write them: a lower-case x, and the older 15-digit numbers
        assertThat(IdentityNumbers.maskAll("id 11010519491231002x.")).isEqualTo("id 110105**********2x.");
        assertThat(IdentityNumbers.maskAll("old 360102870312123")).isEqualTo("old 360102*******23");
    }

    @Test
    void industryCodesHaveASectionAndADivisionInsideIt() {
        assertThat(IndustryCodes.problem("C")).isNull();
        assertThat(IndustryCodes.problem("C27")).isNull();
        assertThat(IndustryCodes.problem("C2710")).isNull();
        assertThat(IndustryCodes.problem("F5211")).isNull();
        assertThat(IndustryCodes.problem("C51")).contains("division 51 is not in section C");
        assertThat(IndustryCodes.problem("Z01")).contains("section letter A–T");
        assertThat(IndustryCodes.problem("C2")).contains("section letter");
    }
}
