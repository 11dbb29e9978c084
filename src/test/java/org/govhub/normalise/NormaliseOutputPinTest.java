package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.govhub.sandbox.CreditRecordGenerator;
import org.govhub.sandbox.CreditReferenceGenerator;
import org.govhub.sandbox.FilingGenerator;
import org.govhub.sandbox.SandboxFeed;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins every byte the normaliser and the record pages produce (canonical JSON, content hash, reasons,
 * raw row JSON, page lines and what a page reads back) for generated rows of every mapping, valid and
 * broken, withdrawn, with control characters, over-long keys and a source's problem. Content hashes
 * must never change between versions: a changed hash makes a re-read row look like a new version.
 * The expected digest was recorded from the code before the issue-12 speed-ups; it may only change
 * when an output is meant to change.
 */
class NormaliseOutputPinTest {

    /** SHA-256 of all outputs below, recorded with the code as of 7e312ff (before the issue-12 changes). */
    private static final String EXPECTED = "ef5a5742c80258f346f910b30e0de2e368a5b2ca3d2cc562902ffa39730b724c";

    private static final Instant AT = Instant.parse("2020-03-01T02:03:04.567891Z");

    @TempDir
    Path dir;

    @Test
    void outputsOfEveryMappingAreByteForByteAsBefore() throws Exception {
        SchemaRegistry schemas = new SchemaRegistry();
        RecordNormaliser normaliser = new RecordNormaliser(new MappingRegistry(schemas, Path.of("mappings")), schemas,
                new RecordValidator(new RegionCodes(), (standard, code) -> false),
                new org.govhub.prioritise.PriorityRules(new org.springframework.core.io.ClassPathResource("rules/priority-classes.yaml")),
                new org.govhub.enrich.PolicyEnricher(org.govhub.enrich.PolicyRules.standard()));
        RegionCodes regions = new RegionCodes();
        List<String> counties = regions.countiesUnder("36");

        Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();
        rows.put("tax-bureau", new ArrayList<>());
        new TaxDeclarationGenerator(2026, counties, 7).generate(400, r -> rows.get("tax-bureau").add(r.columns()));
        rows.put("credit-reference", new ArrayList<>());
        new CreditReferenceGenerator(2026, regions.countiesUnder("3601"), 9).generate(300, r -> rows.get("credit-reference").add(r.columns()));
        rows.put("credit-portal", items(new CreditRecordGenerator(2026, counties, 8).generate(300)));
        rows.put("provincial-filings", items(new FilingGenerator(2026, counties, 6).generate(300)));
        List<SocialInsuranceGenerator.Row> units = new SocialInsuranceGenerator(2026, 5).rows("南昌", counties, "202003", 300);
        rows.put("social-insurance", new ArrayList<>());
        rows.put("social-insurance-fixed", new ArrayList<>());
        List<String> fixedNames = List.of("dwtyxydm", "dwmc", "dwlx", "fksq", "cbrs", "jfjs", "yldwjf", "sydwjf", "gsdwjf", "sqhj",
                "cbdxzqh", "hydm", "yysr", "zcze", "qygm", "hjys");
        for (SocialInsuranceGenerator.Row unit : units) {
            rows.get("social-insurance").add(new LinkedHashMap<>(unit.columns()));
            Map<String, Object> fixed = new LinkedHashMap<>();
            for (int i = 0; i < fixedNames.size(); i++) {
                String v = unit.columns().get(SocialInsuranceGenerator.COLUMNS.get(i));
                fixed.put(fixedNames.get(i), v == null ? null : i % 2 == 0 ? v + "   " : "  " + v); // padded, as fixed-width fields are
            }
            rows.get("social-insurance-fixed").add(fixed);
        }
        // a mapping of 2011-edition industry codes (not among the mapping files)
        Files.writeString(dir.resolve("hrss-2011.yaml"), Files.readString(Path.of("mappings/social-insurance.yaml"))
                .replace("mapping: social-insurance\n", "mapping: hrss-2011\n")
                .replace("schemaVersion: 1.0.0\n", "schemaVersion: 1.0.0\nindustryCodeEdition: GB/T 4754-2011\n"));
        MappingDefinition legacy = new MappingLoader(schemas).load(dir.resolve("hrss-2011.yaml"));

        MessageDigest digest = CanonicalJson.sha256Digest();
        int records = 0;
        for (Map.Entry<String, List<Map<String, Object>>> e : rows.entrySet()) {
            int valid = 0;
            int i = 0;
            for (Map<String, Object> row : e.getValue()) {
                vary(row, ++i, e.getKey());
                NormalisedRecord r = normaliser.normalise("pin-" + e.getKey(), e.getKey(), row, AT);
                add(digest, r);
                valid += r.valid() ? 1 : 0;
                records++;
                if (e.getKey().equals("social-insurance") && i % 3 == 0) {
                    add(digest, normaliser.normalise("pin-legacy", legacy, row, AT));
                    records++;
                }
            }
            assertThat(valid).as(e.getKey() + ": valid records").isBetween(1, e.getValue().size() - 1);
        }
        assertThat(records).isGreaterThan(1800);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(EXPECTED);
    }

    private static List<Map<String, Object>> items(List<SandboxFeed.Version> versions) {
        List<Map<String, Object>> items = new ArrayList<>();
        versions.forEach(v -> items.add(v.item()));
        return items;
    }

    /** What sources add or break now and then, beyond the generators' defects. */
    private static void vary(Map<String, Object> row, int i, String mapping) {
        if (i % 11 == 0) {
            row.put(RecordNormaliser.WITHDRAWN, true);
        }
        if (i % 13 == 0) {
            row.put(org.govhub.ingest.SourceFiles.FILE_COLUMN, "drop/2020\u0001-03.csv");
            row.put(org.govhub.ingest.SourceFiles.LINE_COLUMN, (long) i);
        }
        if (i % 37 == 0) {
            row.put("备注", "a\u0001b\u0085c\td\u001Fe");
        }
        if (i % 41 == 0) {
            row.put("bad\u0002key", "x");
        }
        if (i % 43 == 0) {
            row.put("note", "\uD800x\uDBFF");
            row.put("nested", Map.of("list", List.of("ok", "\u001Bbad", Map.of("deep", "\u007F"))));
        }
        if (i % 53 == 0) {
            row.put(RecordNormaliser.PROBLEM, "line " + i + " has 3 columns, not 16");
        }
        String keyColumn = switch (mapping) {
            case "tax-bureau" -> "decl_id";
            case "credit-reference" -> "event_id";
            case "credit-portal" -> "recordNo";
            case "provincial-filings" -> "filingId";
            case "social-insurance" -> SocialInsuranceGenerator.CODE;
            default -> "dwtyxydm";
        };
        if (i % 59 == 0 && row.containsKey(keyColumn)) {
            row.put(keyColumn, row.get(keyColumn) + "\u0007");
        }
        if (i % 61 == 0 && row.containsKey(keyColumn)) {
            row.put(keyColumn, String.valueOf(row.get(keyColumn)).repeat(30));
        }
        if (i % 67 == 0) {
            row.put(keyColumn, "  ");
        }
    }

    private static void add(MessageDigest digest, NormalisedRecord r) {
        StringBuilder out = new StringBuilder();
        for (Object field : new Object[] {r.mappingId(), r.schema(), r.schemaVersion(), r.recordKey(), r.canonicalJson(), r.contentHash(),
                r.eventTime(), r.reasons(), r.priority(), r.enterpriseCode(), r.valid(), r.rawJson(), r.rawHash()}) {
            out.append(field).append('\u0000');
        }
        digest.update(out.toString().getBytes(StandardCharsets.UTF_8));
        if (r.valid()) {
            RecordPage.Entry entry = RecordPage.entryOf(r);
            byte[] line = RecordPage.line(entry);
            digest.update(line);
            digest.update((byte) '\n');
            RecordPage.Kind kind = RecordPage.Kind.of(r);
            assertThat(RecordPage.read(RecordPage.of(kind, entry), 1)).containsExactly(entry);
            // two lines per page, the second an entry without optional fields
            RecordPage.Entry bare = new RecordPage.Entry(entry.recordKey() + "\"\\\u2028", entry.contentHash(), null, null, entry.record());
            RecordPage.Builder page = new RecordPage.Builder(kind);
            page.add(line);
            page.add(RecordPage.line(bare));
            assertThat(RecordPage.read(page.body(), 2)).containsExactly(entry, bare);
        }
    }
}
