package org.govhub.operate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.ingest.RouteFileModel;

/**
 * Typed template parameters. A route template declares a parameter's type at the start of its
 * description ({@code description: "[integer] Milliseconds between two polls"}; no tag means
 * string). Every {@code templatedRoute} is checked against its template: each parameter it sets
 * must be declared there, and its value (after property placeholders) must have the declared
 * type. Camel itself checks that required parameters are present.
 */
public final class TemplateParameterTypes {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");
    /** Camel property functions ({{env:NAME:default}}) and optional placeholders ({{?name}}). */
    private static final Pattern FUNCTION = Pattern.compile("^\\?|^(env|sys|service|service\\.host|service\\.port|bean|ref|k8s[a-z:-]*|vault[a-z:-]*)$");

    private TemplateParameterTypes() {
    }

    /** @param resolve resolves a property key to its value, or null when it cannot be known */
    public static List<String> check(List<Path> files, UnaryOperator<String> resolve) {
        return check(RouteFileModel.read(files), resolve);
    }

    public static List<String> check(RouteFileModel model, UnaryOperator<String> resolve) {
        List<String> problems = new ArrayList<>();
        for (RouteFileModel.Use use : model.uses()) {
            RouteFileModel.Template template = model.templates().get(use.template());
            if (template == null) {
                continue; // Camel reports an unknown template
            }
            use.parameters().forEach((name, value) -> {
                String where = use.file() + ": line " + value.line() + ": ";
                RouteFileModel.Parameter declared = template.parameters().get(name);
                if (declared == null) {
                    problems.add(where + "parameter '" + name + "' is not declared by template " + use.template()
                            + " (declared: " + template.parameters().keySet().stream().sorted().toList() + ")");
                    return;
                }
                String resolved = resolvePlaceholders(value.value(), resolve);
                if (resolved == null) {
                    return; // known only at run time
                }
                boolean ok = switch (declared.type()) {
                    case "integer" -> resolved.strip().matches("-?\\d+");
                    case "boolean" -> resolved.strip().matches("true|false");
                    default -> true;
                };
                if (!ok) {
                    problems.add(where + "parameter '" + name + "' of template " + use.template() + " must be "
                            + ("integer".equals(declared.type()) ? "an integer" : "a boolean") + ", not '" + resolved + "'");
                }
            });
        }
        return problems;
    }

    /** The property keys a value needs that have no default (not functions, not optional), in order. */
    static List<String> placeholders(String value) {
        List<String> keys = new ArrayList<>();
        if (value != null) {
            Matcher m = PLACEHOLDER.matcher(value);
            while (m.find()) {
                if (!FUNCTION.matcher(m.group(1)).find() && m.group(2) == null) {
                    keys.add(m.group(1).strip());
                }
            }
        }
        return keys;
    }

    private static String resolvePlaceholders(String value, UnaryOperator<String> resolve) {
        if (value == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (FUNCTION.matcher(m.group(1)).find()) {
                return null; // a function's value is known only at run time
            }
            String resolved = resolve.apply(m.group(1));
            if (resolved == null) {
                resolved = m.group(2);
            }
            if (resolved == null) {
                return null;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
