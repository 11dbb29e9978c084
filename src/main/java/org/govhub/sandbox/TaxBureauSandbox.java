package org.govhub.sandbox;

import java.sql.SQLException;
import java.util.List;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The simulated tax-bureau database: creates the declaration table on first start and fills it
 * with generated rows (some deliberately invalid). The hub reads it like any departmental
 * database, through {@code govhub.sources.tax-bureau}.
 */
@Component
@ConditionalOnSandbox
public class TaxBureauSandbox {

    private static final Logger log = LoggerFactory.getLogger(TaxBureauSandbox.class);

    public static final String DDL = """
            CREATE TABLE tax_declaration (
                decl_id  BIGINT       NOT NULL PRIMARY KEY,
                nsrsbh   VARCHAR(30),
                nsrmc    VARCHAR(200),
                sssq     VARCHAR(10),
                zsxm_dm  VARCHAR(10),
                nsrlx    VARCHAR(2),
                sbrq     VARCHAR(20),
                ybtse    VARCHAR(30),
                sjje     VARCHAR(30),
                yjbz     CHAR(1),
                yjqx     VARCHAR(20),
                xzqh_dm  VARCHAR(6),
                nsqx     VARCHAR(2),
                updated_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL
            )""";

    /** The index the sql-source template asks of a polled table: its reads go by (change time, key). */
    public static final String CHANGE_INDEX = "CREATE INDEX ix_tax_declaration_changed ON tax_declaration (updated_at, decl_id)";

    private final SandboxProperties.Database config;
    private final RegionCodes regionCodes;
    private List<GeneratedRow> rows;

    public TaxBureauSandbox(SandboxProperties properties, RegionCodes regionCodes) throws SQLException {
        this.config = properties.taxBureau();
        this.regionCodes = regionCodes;
        if (!SandboxDatabases.exists(config.url(), config.username(), config.password(), "tax_declaration")) {
            seed(config.url(), config.username(), config.password(), rows());
        }
    }

    /** The sandbox's generator: Jiangxi (36), the province whose 2020 notices the seed texts are. */
    public static TaxDeclarationGenerator generator(SandboxProperties.Database config, RegionCodes regionCodes) {
        return new TaxDeclarationGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery());
    }

    /** Creates and fills the table unless it is already there; safe to call on every start. */
    public static void seed(String url, String user, String password, List<GeneratedRow> rows)
            throws SQLException {
        if (SandboxDatabases.seed(url, user, password, "tax_declaration", List.of(DDL, CHANGE_INDEX),
                rows.stream().map(GeneratedRow::columns).toList())) {
            long invalid = rows.stream().filter(r -> !r.valid()).count();
            log.info("sandbox tax bureau seeded with {} declarations ({} deliberately invalid)", rows.size(), invalid);
        }
    }

    /** The rows this sandbox generates, with the defects it puts in on purpose (generated when first asked for). */
    public synchronized List<GeneratedRow> rows() {
        if (rows == null) {
            rows = generator(config, regionCodes).generate(config.rows());
        }
        return rows;
    }
}
