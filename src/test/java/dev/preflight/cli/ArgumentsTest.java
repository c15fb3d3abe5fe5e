package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** O1: command lines refused with one line each, rather than read as something else or ignored. */
class ArgumentsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a flag with a value is refused, not read as set      | explain --method GET --preflight=false        | --preflight takes no value
            ... any flag                                         | explain --method GET --websocket=no           | --websocket takes no value
            ... --version too                                    | --version=x                                   | --version takes no value
            an empty value is no value (--config= was the cwd)  | run --config=                                 | --config needs a value
            ... for every option                                 | explain --method GET --origin=                | --origin needs a value
            a port out of range                                  | demo --port 99999                             | --port takes a port number 0-65535, not 99999
            a port that is not a number                          | demo --port abc                               | --port takes a port number 0-65535, not abc
            the demo's page needs the proxy's port               | demo --port 0                                 | demo needs a fixed --port: its page calls the proxy there
            demo runs its own policy                             | demo --config x.conf                          | demo takes no --config: it runs a policy of its own, which it prints
            demo's --api is the page's alone                     | demo --api http://localhost:8080              | --api belongs to demo --only page
            ... and not the API's                                | demo --only api --api http://localhost:8080   | --api belongs to demo --only page
            explain's options belong to explain                  | check --preflight                             | --origin, --method, --header, --path, --host, --preflight, --private-network, --websocket, --forwarded-proto and --sec-fetch-site/-mode/-dest belong to explain
            """)
    void refused(String rule, String line, String message) {
        assertThatThrownBy(() -> Arguments.parse(line.split(" ")))
                .as(rule)
                .isInstanceOf(Arguments.UsageException.class)
                .hasMessage(message);
    }

    @Test
    void aBlankValueIsNoValue() {
        assertThatThrownBy(() -> Arguments.parse("run", "--config", " "))
                .isInstanceOf(Arguments.UsageException.class)
                .hasMessage("--config needs a value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            the page with the proxy it calls  | demo --only page --api http://localhost:8080 --port 5173
            a port 0 for one part alone       | demo --only api --port 0
            --name=value                      | explain --method=GET --path=/a=b
            """)
    void accepted(String rule, String line) throws Arguments.UsageException {
        assertThat(Arguments.parse(line.split(" "))).as(rule).isNotNull();
    }
}
