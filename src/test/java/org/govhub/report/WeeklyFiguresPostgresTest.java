package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.govhub.RealDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The same hand-computed figures with the hub database on PostgreSQL (production's): the SQL is portable. */
class WeeklyFiguresPostgresTest extends WeeklyFiguresTest {

    static final String SCHEMA = "report_fixture";

    @BeforeAll
    static void load() {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, "SELECT 1");
        DriverManagerDataSource ds = new DriverManagerDataSource(RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA,
                RealDatabases.POSTGRES_USER, "");
        fixture = new ReportFixture(ds, SCHEMA);
        fixture.standard();
        assertThat(new FilingFacts(fixture.dataSource).catchUp()).isEqualTo(18);
        assertThat(new FilingFacts(fixture.dataSource).catchUp()).isZero();
    }
}
