package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CreditCodesTest {

    @Test
    void checkCharacterFollowsGb32100Weights() {
        // 91350100M000100Y43 is the example code often cited for GB 32100:
        // sum of value*weight over its first 17 characters is 1640; 1640 mod 31 = 28; 31 - 28 = 3
        String body = "91350100M000100Y4";
        int sum = 0;
        int[] weights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
        for (int i = 0; i < 17; i++) {
            sum += CreditCodes.ALPHABET.indexOf(body.charAt(i)) * weights[i];
        }
        assertThat(sum).isEqualTo(1640);
        assertThat(CreditCodes.checkCharacter(body)).isEqualTo('3');
        assertThat(CreditCodes.problem(body + "3")).isNull();
    }

    @Test
    void aWrongCheckCharacterIsReportedWithTheExpectedOne() {
        assertThat(CreditCodes.problem("91350100M000100Y40")).contains("'0'", "'3'");
    }

    @Test
    void lengthAndAlphabetAreChecked() {
        assertThat(CreditCodes.problem("91350100M000100Y4")).contains("18 characters");
        assertThat(CreditCodes.problem("91350100M000100I43")).contains("'I'", "position 16");
    }
}
