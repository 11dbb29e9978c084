package org.govhub.sandbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
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

    static final String DDL = """
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
                xzqh_dm  VARCHAR(6)
            )""";

    private final SandboxProperties.TaxBureau config;
    private final List<TaxDeclarationGenerator.Row> rows;

    public TaxBureauSandbox(SandboxProperties properties, RegionCodes regionCodes) throws SQLException {
        this.config = properties.taxBureau();
        // Jiangxi (36): the province whose 2020 notices the seed texts are.
        this.rows = new TaxDeclarationGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery())
                .generate(config.rows());
        seed(config.url(), config.username(), config.password(), rows);
    }

    /** Creates and fills the table unless it is already there; safe to call on every start. */
    public static void seed(String url, String user, String password, List<TaxDeclarationGenerator.Row> rows)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            if (tableExists(c)) {
                return;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(DDL);
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO tax_declaration (decl_id, nsrsbh, nsrmc, sssq, zsxm_dm, nsrlx, sbrq, ybtse, sjje, yjbz,"
                            + " yjqx, xzqh_dm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (TaxDeclarationGenerator.Row row : rows) {
                    int i = 1;
                    for (Map.Entry<String, Object> col : row.columns().entrySet()) {
                        insert.setObject(i++, col.getValue());
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            long invalid = rows.stream().filter(r -> r.defect() != null).count();
            log.info("sandbox tax bureau seeded with {} declarations ({} deliberately invalid)", rows.size(), invalid);
        }
    }

    private static boolean tableExists(Connection c) throws SQLException {
        for (String name : new String[] {"TAX_DECLARATION", "tax_declaration"}) {
            try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The rows this sandbox generated, with the defects it put in on purpose. */
    public List<TaxDeclarationGenerator.Row> rows() {
        return rows;
    }
}
