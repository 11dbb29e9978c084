package org.govhub.prioritise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * 急用先行: the priority rules, read from a file (default {@code classpath:rules/priority-classes.yaml},
 * {@code govhub.priority.rules} names another), not written in code. The first rule that matches a
 * record gives its class. A rule file that cannot be used stops start-up with the rule and reason.
 */
@Component
public class PriorityRules {

    private static final Logger log = LoggerFactory.getLogger(PriorityRules.class);

    /** One condition on a canonical field. */
    record Condition(String field, JsonNode equals, List<String> in, List<String> startsWith) {
        boolean matches(JsonNode record) {
            JsonNode value = record.get(field);
            if (value == null || value.isNull()) {
                return false;
            }
            if (equals != null) {
                return equals.equals(value) || equals.asText().equals(value.asText());
            }
            if (in != null) {
                return in.contains(value.asText());
            }
            return startsWith.stream().anyMatch(p -> value.asText().startsWith(p));
        }
    }

    record Rule(String id, int priorityClass, Set<String> schemas, List<Condition> conditions) {
        boolean matches(String schema, JsonNode record) {
            return (schemas.isEmpty() || schemas.contains(schema)) && conditions.stream().allMatch(c -> c.matches(record));
        }
    }

    private final List<Rule> rules;

    public PriorityRules(@Value("${govhub.priority.rules:classpath:rules/priority-classes.yaml}") Resource file) {
        this.rules = load(file);
        log.info("{} priority rules from {}", rules.size(), file.getDescription());
    }

    /** The class of a valid canonical record, and the rule that gave it. */
    public Priority classify(String schema, JsonNode record) {
        for (Rule rule : rules) {
            if (rule.matches(schema, record)) {
                return new Priority(rule.priorityClass(), rule.id());
            }
        }
        throw new IllegalStateException("no priority rule matched a " + schema + " record; the last rule must match everything");
    }

    static List<Rule> load(Resource file) {
        JsonNode root;
        try (InputStream in = file.getInputStream()) {
            root = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("priority rules " + file.getDescription() + " cannot be read: " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode last = null;
        for (JsonNode r : root.path("rules")) {
            last = r;
            String id = r.path("id").asText("");
            String where = "rule '" + id + "': ";
            if (id.isEmpty() || !ids.add(id)) {
                problems.add("rule ids must be present and unique (" + (id.isEmpty() ? "missing" : id) + ")");
            }
            int priorityClass = r.path("class").asInt(0);
            if (priorityClass < 1 || priorityClass > 4) {
                problems.add(where + "class must be 1, 2, 3 or 4");
            }
            Set<String> schemas = new HashSet<>();
            r.path("schemas").forEach(s -> schemas.add(s.asText()));
            List<Condition> conditions = new ArrayList<>();
            for (JsonNode c : r.path("when")) {
                String field = c.path("field").asText("");
                List<String> in = c.has("in") ? texts(c.get("in")) : null;
                List<String> starts = c.has("startsWith") ? texts(c.get("startsWith")) : null;
                JsonNode equals = c.get("equals");
                int operators = (equals == null ? 0 : 1) + (in == null ? 0 : 1) + (starts == null ? 0 : 1);
                if (field.isEmpty() || operators != 1) {
                    problems.add(where + "each condition needs a field and exactly one of equals, in, startsWith");
                    continue;
                }
                conditions.add(new Condition(field, equals, in, starts));
            }
            rules.add(new Rule(id, priorityClass, Set.copyOf(schemas), List.copyOf(conditions)));
        }
        if (last == null || last.path("when").size() > 0 || last.path("schemas").size() > 0) {
            problems.add("the last rule must have no conditions and no schemas, so that every record gets a class");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("priority rules " + file.getDescription() + " are invalid:\n  - "
                    + String.join("\n  - ", problems));
        }
        return List.copyOf(rules);
    }

    private static List<String> texts(JsonNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
