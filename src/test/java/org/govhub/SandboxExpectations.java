package org.govhub;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.sandbox.CreditReferenceSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.TaxBureauSandbox;
import org.springframework.context.ApplicationContext;

/** What the sandbox systems of a running hub hold, per source id: the rows tests expect back. */
public final class SandboxExpectations {

    private SandboxExpectations() {
    }

    public static Map<String, List<GeneratedRow>> rowsBySource(ApplicationContext context) {
        Map<String, List<GeneratedRow>> rows = new HashMap<>();
        rows.put("tax-bureau", context.getBean(TaxBureauSandbox.class).rows());
        rows.put("credit-reference", context.getBean(CreditReferenceSandbox.class).rows());
        return rows;
    }

    /** "source|key" of every row meant to reach the platform. */
    public static Set<String> validKeys(ApplicationContext context) {
        return keys(context, true);
    }

    /** "source|key" of every row broken on purpose. */
    public static Set<String> invalidKeys(ApplicationContext context) {
        return keys(context, false);
    }

    private static Set<String> keys(ApplicationContext context, boolean valid) {
        return rowsBySource(context).entrySet().stream()
                .flatMap(e -> e.getValue().stream().filter(r -> r.valid() == valid).map(r -> e.getKey() + "|" + r.key()))
                .collect(Collectors.toSet());
    }

    /** "source|key" of a received or quarantined row. */
    public static String key(Map<String, Object> row) {
        return row.get("source_id") + "|" + row.get("source_record_key");
    }
}
