package org.govhub.normalise;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.springframework.stereotype.Component;

/**
 * GB/T 2260 administrative division codes, 2023 table (copied from shared/data/region-codes into
 * {@code reference/region-codes}). A 6-digit code exists when it is a county-level code, or a
 * prefecture code followed by 00, or a province code followed by 0000.
 */
@Component
public class RegionCodes {

    private final Map<String, String> names = new HashMap<>();

    public RegionCodes() {
        load("provinces.csv", code -> code + "0000");
        load("cities.csv", code -> code + "00");
        load("areas.csv", code -> code);
    }

    private void load(String file, java.util.function.UnaryOperator<String> toSixDigits) {
        String path = "/reference/region-codes/" + file;
        try (InputStream in = RegionCodes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
            for (CSVRecord row : format.parse(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                names.put(toSixDigits.apply(row.get("code")), row.get("name"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean exists(String code) {
        return names.containsKey(code);
    }

    public Optional<String> name(String code) {
        return Optional.ofNullable(names.get(code));
    }

    /** County-level codes (not ending in 00) under a province or city prefix, sorted. */
    public java.util.List<String> countiesUnder(String prefix) {
        return names.keySet().stream().filter(c -> c.startsWith(prefix) && !c.endsWith("00")).sorted().toList();
    }

    /** Prefecture-level codes (4 digits + 00) of a 2-digit province, sorted. */
    public java.util.List<String> citiesUnder(String province) {
        return names.keySet().stream().filter(c -> c.startsWith(province) && c.endsWith("00") && !c.endsWith("0000"))
                .sorted().toList();
    }

    public int size() {
        return names.size();
    }
}
