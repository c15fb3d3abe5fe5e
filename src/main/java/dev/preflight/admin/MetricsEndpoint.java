package dev.preflight.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/** {@code /metrics}: every meter of the registry in the Prometheus text exposition format (O2, O3). */
final class MetricsEndpoint implements AdminEndpoint {
    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String path() {
        return "/metrics";
    }

    @Override
    public FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc) {
        // scrape() without a content type renders the 0.0.4 text format, which every Prometheus reads.
        return AdminResponses.of(alloc, HttpResponseStatus.OK, AdminResponses.PROMETHEUS_TEXT, registry.scrape());
    }
}
