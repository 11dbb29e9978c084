package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConvertersTest {

    @ParameterizedTest
    @ValueSource(strings = {"2020-02-10", "20200210", "2020/2/10", "2020年2月10日", " 2020-2-10 ", "2020-02-10 08:30:00"})
    void datesInEveryFormatDepartmentsWrite(String raw) {
        assertThat(Converters.convert("date", raw, null).asText()).isEqualTo("2020-02-10");
    }

    @Test
    void datesFromJdbcTypes() {
        assertThat(Converters.convert("date", java.sql.Date.valueOf("2020-02-24"), null).asText()).isEqualTo("2020-02-24");
        assertThat(Converters.convert("date", Timestamp.valueOf("2020-02-24 23:59:59"), null).asText()).isEqualTo("2020-02-24");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-02-10T09:30:00+08:00", "2020-02-10T01:30:00Z", "2020-02-10 09:30:00", "2020-02-10 09:30",
        "2020/2/10 9:30", "2020年2月10日 09:30", "2020年2月10日9时30分", "20200210093000", "1581298200000"})
    void dateTimesInEveryFormatBecomeOneCanonicalTextInChinaStandardTime(String raw) {
        assertThat(Converters.convert("datetime", raw, null).asText()).isEqualTo("2020-02-10T09:30:00+08:00");
    }

    @Test
    void dateTimesFromJsonNumbersAndJdbcTypes() {
        assertThat(Converters.convert("datetime", 1581298200000L, null).asText()).isEqualTo("2020-02-10T09:30:00+08:00");
        assertThat(Converters.convert("datetime", Timestamp.valueOf("2020-02-10 09:30:00"), null).asText())
                .isEqualTo("2020-02-10T09:30:00+08:00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-02-30 10:00", "2020-02-10", "2020-02-10 25:00", "soon"})
    void impossibleOrUnknownDateTimesAreRefusedWithTheValue(String raw) {
        assertThatThrownBy(() -> Converters.convert("datetime", raw, null))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining(raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-02-30", "2020-13-01", "10/02/2020", "yesterday", "2020年2月"})
    void impossibleOrUnknownDatesAreRefusedWithTheValue(String raw) {
        assertThatThrownBy(() -> Converters.convert("date", raw, null))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining(raw);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "1234.56;123456", "'1,234.56';123456", "'12,345,678.9';1234567890", "0;0", "-100.00;-10000",
        "¥88.00;8800", "'1，000';100000", "7元;700", "' 1230.50 ';123050", "'12,345';1234500", "'999';99900",
        "+5;500", "'¥ 1,230.50';123050", "'￥1,230.50';123050", "'-¥5';-500", "'¥-5';-500", "'１２，３４５．６０';1234560",
        "'－１２';-1200", "'−12';-1200", "'1,230.50 元';123050", "'000123.40';12340", "'1,000,000';100000000"})
    void yuanToFenTakesEveryUnambiguousForm(String raw, long fen) {
        assertThat(Converters.convert("yuan-to-fen", raw, null).asLong()).isEqualTo(fen);
    }

    /** Each refused with the value and why: never read as one of the numbers it might mean. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "'12,30';decimal comma", "'1,2345';groups of exactly three", "'1.234,56';comma after the decimal point",
        "'1 234,5';space inside", "'1 234';space inside", "'0,123';starts with 0", "'1234,567';groups of exactly three",
        "'12,3';groups of exactly three", "'1,23,456';groups of exactly three", "'1.234.567';more than one point",
        "'1e3';exponent", "'1E+3';exponent", "'(100)';brackets", "'.5';digits on both sides", "'5.';digits on both sides",
        "'12,3a4.00';not digits", "'1''234.50';not digits", "'一千';no digits", "'¥';no digits", "'--5';not digits",
        "'+-5';not digits", "'5-';not digits", "'1,234,';not digits", "',123';not digits", "'100万元';not digits",
        "'12.30 元 整';space inside", "'1 234';not digits", "'１２，３０';decimal comma", "'１　２３４';space inside",
        "'NaN';no digits", "'12.30USD';not digits", "'1.230';thousands separator (1230)", "'12.000';thousands separator",
        "'1.200元';thousands separator"})
    void anAmountThatCouldBeReadMoreThanOneWayIsRefusedWithWhy(String raw, String why) {
        assertThatThrownBy(() -> Converters.convert("yuan-to-fen", raw, null))
                .isInstanceOf(ConversionException.class)
                .hasMessageStartingWith("'" + raw + "' is not an amount in 元: ")
                .hasMessageContaining(why);
    }

    @Test
    void theAmountRuleIsTheSameForWanYuanAndWholeNumbers() {
        assertThat(Converters.convert("wan-yuan-to-fen", "2,000", null).asLong()).isEqualTo(2_000_0000_00L);
        assertThat(Converters.convert("wan-yuan-to-fen", "12.5万元", null).asLong()).isEqualTo(12_5000_00L);
        assertThatThrownBy(() -> Converters.convert("wan-yuan-to-fen", "12,5", null))
                .hasMessageContaining("is not an amount in 万元").hasMessageContaining("decimal comma");
        assertThatThrownBy(() -> Converters.convert("wan-yuan-to-fen", "12元", null)).hasMessageContaining("not an amount in 万元");
        assertThat(Converters.convert("integer", "12,345", null).asLong()).isEqualTo(12_345);
        assertThat(Converters.convert("integer", "１２", null).asLong()).isEqualTo(12);
        assertThat(Converters.convert("integer", "12.00", null).asLong()).isEqualTo(12);
        assertThat(Converters.convert("wan-yuan-to-fen", "0.123", null).asLong()).isEqualTo(1_230_00L); // 0.123 cannot be 123
        assertThat(Converters.convert("wan-yuan-to-fen", "1.2345", null).asLong()).isEqualTo(1_2345_00L);
        for (String ambiguous : new String[] {"12,30", "1,2345", "1.234,56", "1 234", "0,5", "¥12", "12元", "1.000"}) {
            assertThatThrownBy(() -> Converters.convert("integer", ambiguous, null))
                    .as(ambiguous).isInstanceOf(ConversionException.class).hasMessageStartingWith("'" + ambiguous + "' is not a number: ");
        }
        assertThatThrownBy(() -> Converters.convert("integer", "12.5", null)).hasMessage("'12.5' is not a whole number");
    }

    @Test
    void wanYuanToFenAndNumbersFromJdbc() {
        assertThat(Converters.convert("wan-yuan-to-fen", "0.0123", null).asLong()).isEqualTo(12_300L);
        assertThat(Converters.convert("yuan-to-fen", new BigDecimal("99.99"), null).asLong()).isEqualTo(9_999L);
        assertThat(Converters.convert("yuan-to-fen", 12, null).asLong()).isEqualTo(1_200L);
        assertThat(Converters.convert("yuan-to-fen", 12.5d, null).asLong()).isEqualTo(1_250L);
        assertThat(Converters.convert("integer", new java.math.BigInteger("123456789012345678901234567890"), null).bigIntegerValue())
                .isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
        assertThatThrownBy(() -> Converters.convert("yuan-to-fen", Double.NaN, null)).hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> Converters.convert("yuan-to-fen", 0.1d + 0.2d, null)).hasMessageContaining("whole number of fen");
    }

    @Test
    void moneyIsNeverRoundedOrGuessed() {
        assertThatThrownBy(() -> Converters.convert("yuan-to-fen", "1234.567", null))
                .isInstanceOf(ConversionException.class).hasMessageContaining("whole number of fen");
        assertThatThrownBy(() -> Converters.convert("yuan-to-fen", "12,3a4.00", null))
                .isInstanceOf(ConversionException.class).hasMessageContaining("not an amount");
    }

    @Test
    void codesMapThroughTheirTableAndUnknownCodesNameTheKnownOnes() {
        Map<String, String> table = Map.of("1", "GENERAL", "2", "SMALL_SCALE");
        assertThat(Converters.convert("code", " 2 ", table).asText()).isEqualTo("SMALL_SCALE");
        assertThatThrownBy(() -> Converters.convert("code", "3", table))
                .isInstanceOf(ConversionException.class).hasMessageContaining("'3'").hasMessageContaining("1, 2");
    }

    @Test
    void periodsFlagsIntegersIdentifiers() {
        assertThat(Converters.convert("period", "202002", null).asText()).isEqualTo("2020-02");
        assertThat(Converters.convert("period", "2020年2月", null).asText()).isEqualTo("2020-02");
        assertThatThrownBy(() -> Converters.convert("period", "202013", null)).isInstanceOf(ConversionException.class);
        assertThat(Converters.convert("flag", "是", null).asBoolean()).isTrue();
        assertThat(Converters.convert("flag", "N", null).asBoolean()).isFalse();
        assertThatThrownBy(() -> Converters.convert("flag", "maybe", null)).isInstanceOf(ConversionException.class);
        assertThat(Converters.convert("integer", "1,200", null).asLong()).isEqualTo(1200);
        assertThatThrownBy(() -> Converters.convert("integer", "12,00", null)).isInstanceOf(ConversionException.class);
        assertThatThrownBy(() -> Converters.convert("integer", "12.5", null)).isInstanceOf(ConversionException.class);
        assertThat(Converters.convert("identifier", " 91360100 ab12 ", null).asText()).isEqualTo("91360100AB12");
    }

    @Test
    void emptyValuesAreNullForTheSchemaToJudge() {
        assertThat(Converters.convert("date", "  ", null)).isNull();
        assertThat(Converters.convert("yuan-to-fen", null, null)).isNull();
    }
}
