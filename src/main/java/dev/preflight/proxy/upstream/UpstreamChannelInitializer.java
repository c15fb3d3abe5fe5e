package dev.preflight.proxy.upstream;

import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.HandlerNames;
import dev.preflight.proxy.LimitedHeaders;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The upstream pipeline: TLS for https, the HTTP/1.1 codec ({@link UpstreamCodec}), and the handler that hands the
 * exchange one message per read ({@link UpstreamResponseHandler}). Idle
 * connections are closed by their pool ({@link LoopPool}), not by a handler here.
 */
final class UpstreamChannelInitializer extends ChannelInitializer<SocketChannel> {
    // Backends are trusted more than clients, but a runaway header block must still be bounded.
    private static final int MAX_RESPONSE_LINE = 16 * 1024;
    private static final int MAX_RESPONSE_HEADERS = 64 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;
    /** A response of more fields is malformed (502): 64 KiB of tiny ones held 2.9 MB (LimitedHeaders). */
    private static final HttpHeadersFactory RESPONSE_HEADS =
            LimitedHeaders.heads(LimitedHeaders.UPSTREAM_FIELDS, "the upstream's response");

    private static final HttpHeadersFactory RESPONSE_TRAILERS =
            LimitedHeaders.trailers(LimitedHeaders.UPSTREAM_FIELDS, "the upstream's trailers");

    private final UpstreamSettings settings;
    private final SslContext sslContext;

    UpstreamChannelInitializer(UpstreamSettings settings, SslContext sslContext) {
        this.settings = settings;
        this.sslContext = sslContext;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addTls(ch, p);
        UpstreamCodec codec = new UpstreamCodec(decoderConfig());
        p.addLast(HandlerNames.UPSTREAM_CODEC, codec);
        p.addLast(HandlerNames.UPSTREAM_RESPONSE, new UpstreamResponseHandler(codec));
    }

    private void addTls(SocketChannel ch, ChannelPipeline p) {
        if (sslContext != null) {
            SslHandler tls = sslContext.newHandler(ch.alloc(), settings.host(), settings.port());
            serverName(tls.engine(), settings.host());
            tls.setHandshakeTimeoutMillis(settings.connectTimeoutMillis());
            p.addLast(HandlerNames.UPSTREAM_TLS, tls);
        }
    }

    /**
     * SNI for every host name: the JDK sends it only for names with a dot, and a sidecar's upstream is
     * often a name without one ({@code https://api:8443}, a compose service), whose server would
     * then answer with its default certificate; an absolute name goes without its trailing dot. Not for an IP address (RFC 6066, 3), nor for a name
     * SNI cannot carry (an underscore, say), which goes without, as the JDK would send it.
     */
    static void serverName(SSLEngine engine, String host) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return;
        }
        SNIHostName name;
        try {
            // RFC 6066 3: the name without the trailing dot an absolute one (api.example.com.) carries,
            // which SNIHostName refuses: such a url went without SNI.
            name = new SNIHostName(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
        } catch (IllegalArgumentException notAnSniName) {
            return;
        }
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(name));
        engine.setSSLParameters(parameters);
    }

    static HttpDecoderConfig decoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_RESPONSE_LINE)
                .setMaxHeaderSize(MAX_RESPONSE_HEADERS)
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true) // the trailers; the headers: Netty's checks, but not of the known names
                .setHeadersFactory(RESPONSE_HEADS)
                .setTrailersFactory(RESPONSE_TRAILERS)
                .setUseRfc9112TransferEncoding(true);
    }

    /** Loads the codec's classes ahead of the first upstream connection ({@code ProxyServer.prepare}). */
    static void prepare() {
        new UpstreamCodec(decoderConfig());
    }
}
