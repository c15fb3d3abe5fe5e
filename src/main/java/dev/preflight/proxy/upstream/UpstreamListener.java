package dev.preflight.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;

/** What the exchange that currently holds an upstream connection hears from it. */
public interface UpstreamListener {

    /** A decoded response part; the listener owns (and must release) it. */
    void onResponse(HttpObject message);

    /** A read cycle ended; a listener still waiting for a message must call {@code read()} again. */
    void onReadComplete();

    /** The connection closed, or failed with {@code cause} (null for a plain close). */
    void onUpstreamClosed(Throwable cause);
}
