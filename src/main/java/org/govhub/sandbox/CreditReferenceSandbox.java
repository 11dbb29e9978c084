package org.govhub.sandbox;

import java.sql.SQLException;
import java.util.List;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The simulated credit-reference centre 征信中心 database (MariaDB in the real-database test, H2
 * by default): a credit_event table filled once with generated events, some deliberately invalid.
 */
@Component
@ConditionalOnSandbox
public class CreditReferenceSandbox {

    private static final Logger log = LoggerFactory.getLogger(CreditReferenceSandbox.class);

    public static final String DDL = """
            CREATE TABLE credit_event (
                event_id  BIGINT        NOT NULL PRIMARY KEY,
                zt_lx     CHAR(1),
                zt_dm     VARCHAR(30),
                zt_mc     VARCHAR(200),
                jl_lx     VARCHAR(4),
                je        DECIMAL(18,2),
                fs_rq     DATE,
                yq_yx     INTEGER,
                yq_qk     VARCHAR(2),
                hk_cn     CHAR(1),
                xzqh      VARCHAR(6),
                updated_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL
            )""";

    /** The index the sql-source template asks of a polled table: its reads go by (change time, key). */
    public static final String CHANGE_INDEX = "CREATE INDEX ix_credit_event_changed ON credit_event (updated_at, event_id)";

    private final List<GeneratedRow> rows;

    public CreditReferenceSandbox(SandboxProperties properties, RegionCodes regionCodes) throws SQLException {
        SandboxProperties.Database config = properties.creditReference();
        this.rows = new CreditReferenceGenerator(config.seed(), regionCodes.countiesUnder("3601"), config.invalidEvery())
                .generate(config.rows());
        if (SandboxDatabases.seed(config.url(), config.username(), config.password(), "credit_event", List.of(DDL, CHANGE_INDEX),
                rows.stream().map(GeneratedRow::columns).toList())) {
            log.info("sandbox credit-reference centre seeded with {} events ({} deliberately invalid)", rows.size(),
                    rows.stream().filter(r -> !r.valid()).count());
        }
    }

    public List<GeneratedRow> rows() {
        return rows;
    }
}
