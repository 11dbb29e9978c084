package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every file of a drop folder gets a verdict: taken, its file's marker, or waiting with why. */
class DropFolderRulesTest {

    /** The done-marker contract as Camel's doneFileName ${file:name}.done gives it. */
    static final DropFolderRules MARKERS = new DropFolderRules(name -> name + ".done", name -> name.endsWith(".done"), null);
    static final DropFolderRules RENAME = new DropFolderRules(null, name -> false, null);

    @Test
    void withDoneMarkersAFileIsTakenOnceItsMarkerIsThereWhateverItsName() {
        List<String> folder = List.of("..name.csv", "..name.csv.done", ".hidden.csv", ".hidden.csv.done", "名单 2020.csv",
                "名单 2020.csv.done", " lead space.csv", " lead space.csv.done", "empty.csv", "empty.csv.done");
        Map<String, DropFolderRules.Verdict> v = MARKERS.judge(folder);
        assertThat(v).hasSize(folder.size());
        for (String file : List.of("..name.csv", ".hidden.csv", "名单 2020.csv", " lead space.csv", "empty.csv")) {
            assertThat(v.get(file).take()).as(file).isTrue();
            assertThat(v.get(file + ".done").marker()).as(file + ".done").isTrue();
            assertThat(v.get(file + ".done").take()).isFalse();
            assertThat(v.get(file + ".done").waiting()).isNull();
        }
    }

    @Test
    void whatIsNotTakenWaitsWithItsReason() {
        Map<String, DropFolderRules.Verdict> v = MARKERS.judge(List.of("x.csv", "y.csv.part", "y.csv.part.done", "z.TMP",
                "lonely.csv.done", "a.csv.done.done", "a.csv.done", "a.csv", "lock.csv.camelLock"));
        assertThat(v.get("x.csv").waiting()).isEqualTo("no done marker yet: the file is taken once x.csv.done is there");
        assertThat(v.get("y.csv.part").waiting()).startsWith("an upload in progress (.part)").endsWith("and its done marker is there");
        assertThat(v.get("y.csv.part.done").marker()).isTrue(); // its file is there, waiting itself
        assertThat(v.get("z.TMP").waiting()).startsWith("an upload in progress (.TMP)");
        assertThat(v.get("lonely.csv.done").waiting()).startsWith("a done marker without its file");
        assertThat(v.get("a.csv.done.done").waiting()).startsWith("a done marker without its file"); // a marker's marker
        assertThat(v.get("a.csv.done").marker()).isTrue();
        assertThat(v.get("a.csv").take()).isTrue();
        assertThat(v.get("lock.csv.camelLock").waiting()).contains(".camelLock", "rename it");
        assertThat(MARKERS.judge(List.of("${date:now}.csv", "${date:now}.csv.done")).values())
                .allSatisfy(verdict -> assertThat(verdict.waiting()).contains("holds '${'", "rename it"));
        assertThat(RENAME.judge(List.of("${date:now}.csv")).get("${date:now}.csv").take()).isTrue();
        assertThat(v.values()).allSatisfy(verdict -> assertThat(verdict.take() || verdict.marker() || verdict.waiting() != null).isTrue());
    }

    @Test
    void withTheRenameContractTemporaryNamesAndMarkersWait() {
        Map<String, DropFolderRules.Verdict> v = RENAME.judge(List.of("SB.txt", ".SB 石城.txt", "SB2.txt.part", "SB3.txt.tmp", "SB.txt.done"));
        assertThat(v.get("SB.txt").take()).isTrue();
        assertThat(v.get(".SB 石城.txt").take()).isTrue();
        assertThat(v.get("SB2.txt.part").waiting()).isEqualTo("an upload in progress (.part): taken once it is renamed to its final name");
        assertThat(v.get("SB3.txt.tmp").waiting()).startsWith("an upload in progress (.tmp)");
        assertThat(v.get("SB.txt.done").waiting()).startsWith("a done marker, but this source's files are not marked done");
    }

    @Test
    void aNameOutsideTheSourcesPatternWaits() {
        DropFolderRules csvOnly = new DropFolderRules(name -> name + ".done", name -> name.endsWith(".done"),
                Pattern.compile(".*\\.csv", Pattern.CASE_INSENSITIVE));
        Map<String, DropFolderRules.Verdict> v = csvOnly.judge(List.of("a.CSV", "a.CSV.done", "notes.txt", "notes.txt.done"));
        assertThat(v.get("a.CSV").take()).isTrue();
        assertThat(v.get("notes.txt").waiting()).isEqualTo("its name does not match this source's file names (.*\\.csv)");
        assertThat(v.get("notes.txt.done").marker()).isTrue();
    }
}
