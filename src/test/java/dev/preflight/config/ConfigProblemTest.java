package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigProblemTest {

    @ParameterizedTest(name = "{4}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            preflight.upstream.connect-timeout | conf/application.conf:7 | -5s         | a duration >= 0, e.g. 5s       | preflight.upstream.connect-timeout (conf/application.conf:7): -5s (expected: a duration >= 0, e.g. 5s)
            preflight.cors.allowed-origin      | conf/application.conf:4 | unknown key | did you mean allowed-origins?  | preflight.cors.allowed-origin (conf/application.conf:4): unknown key (did you mean allowed-origins?)
            preflight.upstream.url             | ''                      | missing     | an http:// or https:// URL     | preflight.upstream.url: missing (expected: an http:// or https:// URL)
            ''                                 | conf/application.conf:3 | Expecting a value | ''                       | conf/application.conf:3: Expecting a value
            ''                                 | ''                      | cannot read config file x: no such file | '' | cannot read config file x: no such file
            """)
    void rendersOneLine(String path, String location, String value, String expected, String rendered) {
        assertThat(new ConfigProblem(path, location, value, expected).render()).isEqualTo(rendered);
    }

    @Test
    void locationIsFileColonLineOrTheOriginsDescription() {
        var fromString = ConfigFactory.parseString(
                "a = 1\nb = 2", ConfigParseOptions.defaults().setOriginDescription("string"));

        assertThat(ConfigProblem.location(fromString.getValue("b").origin())).isEqualTo("string:2");
        assertThat(ConfigProblem.location(
                        ConfigValueFactory.fromAnyRef(1, "env PREFLIGHT_PORT").origin()))
                .isEqualTo("env PREFLIGHT_PORT");
    }

    @Test
    void valuesAreShownAsWrittenWithQuotesOnlyWhereBlanksWouldHide() {
        assertThat(ConfigProblem.render(ConfigValueFactory.fromAnyRef("-5s"))).isEqualTo("-5s");
        assertThat(ConfigProblem.render(ConfigValueFactory.fromAnyRef(""))).isEqualTo("\"\"");
        assertThat(ConfigProblem.render(ConfigValueFactory.fromAnyRef(" x"))).isEqualTo("\" x\"");
        assertThat(ConfigProblem.render(ConfigValueFactory.fromAnyRef(List.of("a", 1))))
                .isEqualTo("[\"a\",1]");
    }

    @Test
    void fileOrderSortsByLineNumerically() {
        List<ConfigProblem> problems = new ArrayList<>(List.of(
                new ConfigProblem("c", "f:12", "v", ""),
                new ConfigProblem("b", "f:3", "v", ""),
                new ConfigProblem("a", "", "missing", "")));

        problems.sort(ConfigProblem.FILE_ORDER);

        assertThat(problems).extracting(ConfigProblem::path).containsExactly("a", "b", "c");
    }
}
