package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.govhub.enrich.EnterpriseSizes;

/**
 * Computed fields a mapping file may declare ({@code compute: {function: enterprise-size, args:
 * [industryCode, employees, operatingRevenueFen, totalAssetsFen]}}). Arguments name canonical
 * fields mapped earlier in the file; a computation whose inputs are missing gives null and leaves
 * the verdict to the schema. Size classes come from the policy rules file ({@link EnterpriseSizes}),
 * the hub's one implementation of 工信部联企业〔2011〕300号.
 */
public final class Computations {

    /** One computation: the record so far, the argument field names, the fields that were derived. */
    @FunctionalInterface
    interface Function {
        JsonNode apply(ObjectNode record, List<String> args, Set<String> derived, EnterpriseSizes sizes);
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** name → (number of arguments, function). */
    private static final Map<String, Map.Entry<Integer, Function>> FUNCTIONS = new TreeMap<>(Map.of(
            "enterprise-size", Map.entry(4, (r, a, d, s) -> {
                String size = s.classify(text(r, a.get(0)), number(r, a.get(1)), number(r, a.get(2)), number(r, a.get(3))).sizeClass();
                return size == null ? null : JSON.textNode(size);
            }),
            "above-designated-size", Map.entry(2, (r, a, d, s) ->
                    JSON.booleanNode(s.aboveDesignatedSize(text(r, a.get(0)), number(r, a.get(1))))),
            "given-or-derived", Map.entry(1, (r, a, d, s) -> JSON.textNode(d.contains(a.get(0)) ? "DERIVED" : "GIVEN")),
            "percent", Map.entry(2, (r, a, d, s) -> {
                Long part = number(r, a.get(0));
                Long whole = number(r, a.get(1));
                if (part == null || whole == null || whole == 0) {
                    return null;
                }
                return JSON.numberNode(BigDecimal.valueOf(part * 100).divide(BigDecimal.valueOf(whole), 1, RoundingMode.HALF_UP));
            })));

    private Computations() {
    }

    public static Set<String> names() {
        return FUNCTIONS.keySet();
    }

    /** Null when the function exists with that many arguments, else what is wrong. */
    public static String problem(String name, int argCount) {
        Map.Entry<Integer, Function> f = FUNCTIONS.get(name);
        if (f == null) {
            return "unknown computation '" + name + "' (known: " + String.join(", ", FUNCTIONS.keySet()) + ")";
        }
        return f.getKey() == argCount ? null : "computation '" + name + "' takes " + f.getKey() + " argument(s), not " + argCount;
    }

    static JsonNode apply(MappingDefinition.Computation c, ObjectNode record, Set<String> derived, EnterpriseSizes sizes) {
        return FUNCTIONS.get(c.function()).getValue().apply(record, c.args(), derived, sizes);
    }

    private static String text(ObjectNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long number(ObjectNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || !v.isNumber() ? null : v.asLong();
    }
}
