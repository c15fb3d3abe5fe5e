package dev.preflight.cli;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigLocation;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.policy.SecFetch;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code preflight explain --origin O --method M [--header H]... [--path P] [--host H] [--preflight]
 * [--private-network] [--websocket] [--forwarded-proto P] [--sec-fetch-site S] [--sec-fetch-mode M]
 * [--sec-fetch-dest D]}: prints the route, decision, reason, fetch-metadata verdict and exact response headers for one
 * request. Exit 0 when the request would be allowed or is not subject to CORS, 2 when it would be
 * refused (by CORS, by fetch metadata, or answered 4xx/5xx by the proxy before any route), 1 on a bad
 * config.
 */
public final class ExplainCommand {
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public ExplainCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(Arguments args) {
        Explainer.Question question = question(args);
        String contradiction = question.contradiction();
        if (contradiction != null) {
            err.println("preflight: " + contradiction);
            return 2;
        }
        Settings settings;
        try {
            settings = ConfigLoader.load(ConfigLocation.resolve(args.config(), env), env);
        } catch (InvalidConfigException e) {
            err.println("preflight: invalid configuration:");
            e.problems().forEach(p -> err.println("  " + p.render()));
            return 1;
        }
        Explainer.Explanation explanation = new Explainer(settings).explain(question);
        out.print(ExplanationText.render(question, explanation));
        // Refused by CORS (answered 403, or forwarded without CORS headers), by fetch metadata, or
        // before any route (P5's 400): whatever the proxy answers 4xx itself.
        boolean refused = explanation.status() >= 400
                || (explanation.decision() != null
                        && explanation.decision().outcome() == dev.preflight.policy.CorsDecision.Outcome.REJECTED);
        return refused ? 2 : 0;
    }

    private static Explainer.Question question(Arguments args) {
        return new Explainer.Question(
                args.origin().orElse(null),
                args.method().orElseThrow(),
                args.headers(),
                args.path().orElse("/"),
                args.host().orElse(null),
                args.preflight(),
                // Without a site the proxy reads no Sec-Fetch-* at all (F1), whatever mode and dest say.
                args.secFetchSite()
                        .map(site -> new SecFetch(
                                site,
                                args.secFetchMode().orElse(null),
                                args.secFetchDest().orElse(null)))
                        .orElse(SecFetch.NONE),
                args.forwardedProto().orElse(null),
                args.privateNetwork(),
                args.websocket());
    }
}
