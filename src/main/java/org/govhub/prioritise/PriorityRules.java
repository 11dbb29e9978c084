package org.govhub.prioritise;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.govhub.FileSchema;
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

    public static final String DEFAULT_FILE = "rules/priority-classes.yaml";

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

    public PriorityRules(@Value("${govhub.priority.rules:classpath:" + DEFAULT_FILE + "}") Resource file) {
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
        List<String> problems = new ArrayList<>();
        List<Rule> rules = read(file, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("priority rules " + file.getDescription() + " are invalid:\n  - "
                    + String.join("\n  - ", problems));
        }
        return rules;
    }

    /** Every problem of a priority rules file, each naming the file; empty when it can be used (check-files). */
    public static List<String> problems(Resource file) {
        List<String> problems = new ArrayList<>();
        read(file, problems);
        return problems;
    }

    private static List<Rule> read(Resource file, List<String> problems) {
        FileSchema.Checked checked;
        try (InputStream in = file.getInputStream()) {
            checked = FileSchema.of("priority-rules").read(in, file.getDescription());
        } catch (IOException e) {
            problems.add(file.getDescription() + ": cannot be read: " + e.getMessage());
            return List.of();
        }
        problems.addAll(checked.problems());
        if (checked.root() == null) {
            return List.of();
        }
        // what the file schema cannot say: ids unique, and a last rule that every record matches
        Set<String> ids = new HashSet<>();
        JsonNode last = null;
        for (JsonNode r : checked.root().path("rules")) {
            last = r;
            if (!ids.add(r.path("id").asText())) {
                problems.add(file.getDescription() + ": rule '" + r.path("id").asText() + "': the id is used twice");
            }
        }
        if (last == null || last.path("when").size() > 0 || last.path("schemas").size() > 0) {
            problems.add(file.getDescription() + ": the last rule must have no conditions and no schemas, so that every record gets a class");
        }
        if (!problems.isEmpty()) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : checked.root().path("rules")) {
            Set<String> schemas = new HashSet<>();
            r.path("schemas").forEach(s -> schemas.add(s.asText()));
            List<Condition> conditions = new ArrayList<>();
            for (JsonNode c : r.path("when")) {
                conditions.add(new Condition(c.path("field").asText(), c.get("equals"), c.has("in") ? texts(c.get("in")) : null,
                        c.has("startsWith") ? texts(c.get("startsWith")) : null));
            }
            rules.add(new Rule(r.path("id").asText(), r.path("class").asInt(), Set.copyOf(schemas), List.copyOf(conditions)));
        }
        return List.copyOf(rules);
    }

    private static List<String> texts(JsonNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
