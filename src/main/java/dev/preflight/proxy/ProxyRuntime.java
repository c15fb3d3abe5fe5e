package dev.preflight.proxy;

import dev.preflight.config.Settings;
import dev.preflight.proxy.upstream.UpstreamPool;

/** What a request needs from the running proxy: the settings and the upstream pool built from them. */
record ProxyRuntime(Settings settings, UpstreamPool pool, ForwardedHeaders forwardedHeaders) {}
