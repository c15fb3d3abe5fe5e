package dev.preflight.browser;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips the browser suite, loudly, where Chromium or ChromeDriver is missing: the class is reported
 * as skipped with the reason, and the reason is printed once, so a green build without a browser
 * never reads as a browser-tested one.
 */
final class ChromiumCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = Chromium.unavailable();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("Chromium and ChromeDriver are installed");
        }
        if (context.getTestMethod().isEmpty() && context.getTestClass().isPresent()) {
            System.out.println(missing.get());
        }
        return ConditionEvaluationResult.disabled(missing.get());
    }
}
