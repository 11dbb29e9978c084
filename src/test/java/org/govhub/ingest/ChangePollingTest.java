package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import org.junit.jupiter.api.Test;

/** The polling mode's places in a table's (changed, key) order: exact, ordered, and only from a real time. */
class ChangePollingTest {

    @Test
    void aPlaceIsStoredAndReadBackExactlyWithItsKeysKind() {
        Timestamp at = Timestamp.valueOf("2020-04-01 10:00:00.123456789");
        for (Object key : new Object[] {42L, -7L, 0L, new BigDecimal("12.5"), "A-001", null}) {
            ChangePolling.Position p = new ChangePolling.Position(at, key);
            ChangePolling.Position back = ChangePolling.Position.of(p.atText(), p.keyText());
            assertThat(back).isEqualTo(p);
            assertThat(back.at().getNanos()).isEqualTo(123_456_789);
        }
    }

    @Test
    void keysAreBoundAsTheirKindAndAnUnsignedBigintStaysExact() {
        assertThat(ChangePolling.Position.key(5)).isEqualTo(5L);
        assertThat(ChangePolling.Position.key(new BigDecimal("7"))).isEqualTo(7L);
        assertThat(ChangePolling.Position.key(new BigDecimal("7.25"))).isEqualTo(new BigDecimal("7.25"));
        BigInteger unsigned = BigInteger.TWO.pow(63).add(BigInteger.TEN);
        assertThat(ChangePolling.Position.key(unsigned)).isEqualTo(new BigDecimal(unsigned));
        assertThat(ChangePolling.Position.key(BigInteger.valueOf(-3))).isEqualTo(-3L);
    }

    @Test
    void placesAreOrderedByTimeThenKeyAndANullKeyStandsAfterEveryKeyOfItsTime() {
        Timestamp t = Timestamp.valueOf("2020-04-01 10:00:00");
        Timestamp later = Timestamp.valueOf("2020-04-01 10:00:00.000001");
        assertThat(new ChangePolling.Position(t, -7L)).isLessThan(new ChangePolling.Position(t, 0L));
        assertThat(new ChangePolling.Position(t, 9L)).isLessThan(new ChangePolling.Position(t, 10L));
        assertThat(new ChangePolling.Position(t, 1_000_000L)).isLessThan(new ChangePolling.Position(t, null));
        assertThat(new ChangePolling.Position(t, null)).isLessThan(new ChangePolling.Position(later, -1L));
        assertThat(ChangePolling.Position.START).isLessThan(new ChangePolling.Position(Timestamp.valueOf("1900-01-01 00:00:00"), 1L));
    }

    @Test
    void aChangeColumnOfDatesIsRefusedNotReadByTheDay() {
        assertThatThrownBy(() -> ChangePolling.timestamp(java.sql.Date.valueOf("2020-04-01")))
                .hasMessageContaining("holds dates, not times");
        assertThatThrownBy(() -> ChangePolling.timestamp(java.time.LocalDate.of(2020, 4, 1)))
                .hasMessageContaining("holds dates, not times");
        assertThat(ChangePolling.timestamp(java.time.LocalDateTime.of(2020, 4, 1, 9, 30)))
                .isEqualTo(Timestamp.valueOf("2020-04-01 09:30:00"));
    }
}
