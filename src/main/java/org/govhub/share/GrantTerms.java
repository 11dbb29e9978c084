package org.govhub.share;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.Catalog.DataResource;
import org.govhub.share.Catalog.Personal;

/**
 * What a grant allows of one resource: the fields (projection; empty = every field), the rows (by
 * region-code prefix and priority class; empty = all) and the kinds of personal data shown in clear
 * (empty = all masked, the default of the sharing rules).
 */
public record GrantTerms(List<String> fields, List<String> regionPrefixes, List<Integer> priorityClasses, List<Personal> inClear) {

    private static final Pattern REGION_PREFIX = Pattern.compile("[0-9]{2,6}");

    public GrantTerms {
        fields = fields == null ? List.of() : List.copyOf(new TreeSet<>(fields));
        regionPrefixes = regionPrefixes == null ? List.of() : List.copyOf(new TreeSet<>(regionPrefixes));
        priorityClasses = priorityClasses == null ? List.of() : List.copyOf(new TreeSet<>(priorityClasses));
        inClear = inClear == null ? List.of() : List.copyOf(new TreeSet<>(inClear));
    }

    public static GrantTerms all() {
        return new GrantTerms(null, null, null, null);
    }

    /** Why these terms cannot be granted on the resource; empty when they can. */
    public List<String> problems(DataResource resource) {
        List<String> problems = new ArrayList<>();
        for (String field : fields) {
            if (resource.field(field).isEmpty()) {
                problems.add("fields: " + resource.code() + " has no field " + field);
            }
        }
        for (String prefix : regionPrefixes) {
            if (!REGION_PREFIX.matcher(prefix).matches()) {
                problems.add("regionPrefixes: '" + prefix + "' is not 2 to 6 digits of a GB/T 2260 division code");
            }
        }
        if (!regionPrefixes.isEmpty() && resource.field("regionCode").isEmpty()) {
            problems.add("regionPrefixes: " + resource.code() + " has no regionCode field");
        }
        for (int c : priorityClasses) {
            if (c < 1 || c > 4) {
                problems.add("priorityClasses: " + c + " is not a priority class (1 to 4)");
            }
        }
        Set<Personal> present = new TreeSet<>();
        resource.personalFields().forEach(f -> present.add(f.personal()));
        for (Personal p : inClear) {
            if (!present.contains(p)) {
                problems.add("inClear: " + resource.code() + " has no " + p + " field");
            }
        }
        return problems;
    }

    /** Whether {@code narrower} allows nothing these terms do not (an approval may narrow a request, never widen it). */
    public boolean covers(GrantTerms narrower) {
        return within(narrower.fields, fields) && within(narrower.priorityClasses, priorityClasses)
                && inClear.containsAll(narrower.inClear)
                && (regionPrefixes.isEmpty() || (!narrower.regionPrefixes.isEmpty() && narrower.regionPrefixes.stream()
                        .allMatch(n -> regionPrefixes.stream().anyMatch(n::startsWith))));
    }

    private static <T> boolean within(List<T> narrower, List<T> wider) {
        return wider.isEmpty() || (!narrower.isEmpty() && wider.containsAll(narrower));
    }

    public String json() {
        return CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(this));
    }

    public static GrantTerms parse(String json) {
        try {
            JsonNode n = CanonicalJson.MAPPER.readTree(json);
            return new GrantTerms(list(n, "fields", new TypeReference<>() { }), list(n, "regionPrefixes", new TypeReference<>() { }),
                    list(n, "priorityClasses", new TypeReference<>() { }), list(n, "inClear", new TypeReference<>() { }));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored grant terms cannot be read: " + e.getMessage(), e);
        }
    }

    private static <T> List<T> list(JsonNode n, String name, TypeReference<List<T>> type) {
        return n.has(name) ? CanonicalJson.MAPPER.convertValue(n.get(name), type) : null;
    }
}
