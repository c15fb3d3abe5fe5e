package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.CountedReads;
import dev.preflight.testing.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The upstream side's reads: the exchange gets one response message per {@code read()}, in order,
 * whatever one socket read brought; a socket read is asked only when nothing waits (issue 7: this
 * replaced Netty's FlowControlHandler on upstream connections).
 */
class UpstreamResponseHandlerTest {
    private final List<Object> heard = new ArrayList<>();
    private final List<Object> passedOn = new ArrayList<>();
    private final UpstreamCodec codec = new UpstreamCodec(UpstreamChannelInitializer.decoderConfig());
    private final UpstreamResponseHandler handler = new UpstreamResponseHandler(codec);
    private EmbeddedChannel channel;
    private CountedReads socket;
    private int readCompletes;
    private Throwable closedWith;
    private boolean closed;

    private final UpstreamListener listener = new UpstreamListener() {
        @Override
        public void onResponse(HttpObject message) {
            heard.add(message);
        }

        @Override
        public void onReadComplete() {
            readCompletes++;
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
            closed = true;
            closedWith = cause;
        }
    };

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        socket = CountedReads.on(channel);
        channel.pipeline().addLast(handler);
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
            }
        });
        handler.attach(listener);
    }

    @AfterEach
    void tearDown() {
        heard.forEach(ReferenceCountUtil::release);
        passedOn.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("P2: body parts asked for reach the exchange at the read's end, as one part, then the end is told")
    void partsOfOneReadAsOne() {
        channel.read();
        channel.pipeline().fireChannelRead(part("a")).fireChannelRead(part("b")).fireChannelRead(part("c"));
        assertThat(heard).as("not yet: more may come in this read").isEmpty();

        channel.pipeline().fireChannelReadComplete();

        assertThat(heard)
                .singleElement()
                .satisfies(
                        part -> assertThat(((DefaultHttpContent) part).content().toString(StandardCharsets.US_ASCII))
                                .isEqualTo("abc"));
        assertThat(readCompletes).isEqualTo(1);
    }

    @Test
    @DisplayName("P6: more than 64 messages from one read (thousands of 20-byte interim heads) are a malformed"
            + " upstream: closed, what waited released; 64 wait")
    void tooManyMessagesInOneRead() {
        for (int i = 0; i < UpstreamResponseHandler.MAX_WAITING; i++) {
            channel.pipeline()
                    .fireChannelRead(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.EARLY_HINTS));
        }
        assertThat(closed).as("64 wait").isFalse();
        DefaultHttpContent tooMany = part("y");
        channel.pipeline().fireChannelRead(tooMany);

        assertThat(closed).isTrue();
        assertThat(closedWith).isInstanceOf(DecoderException.class);
        assertThat(channel.isOpen()).isFalse();
        assertThat(tooMany.refCnt()).isZero();
    }

    @Test
    @DisplayName("P6: a TLS failure after the handshake (a renegotiation, say) is said in the log with its reason")
    void tlsFailureLogged() {
        List<String> logged;
        try (LogCapture lines = LogCapture.of(UpstreamResponseHandler.class)) {
            channel.pipeline()
                    .fireExceptionCaught(new DecoderException(new SSLException("renegotiation is not supported")));
            logged = lines.messages();
        }

        assertThat(closed).isTrue();
        assertThat(logged).singleElement().asString().contains("TLS").contains("renegotiation is not supported");
    }

    @Test
    @DisplayName("a message asked for reaches the exchange as it arrives; the read's end is told")
    void askedForReachesTheExchange() {
        channel.read();
        assertThat(socket.count()).isEqualTo(1);

        DefaultHttpResponse head = head();
        channel.pipeline().fireChannelRead(head).fireChannelReadComplete();

        assertThat(heard).containsExactly(head);
        assertThat(readCompletes).isEqualTo(1);
    }

    @Test
    @DisplayName("the rest of one socket read waits; each later read() hands the oldest without reading, then the end")
    void restOfAReadWaitsInOrder() {
        DefaultHttpResponse head = head();
        HttpObject part = new DefaultHttpContent(Unpooled.buffer().writeByte('a'));
        channel.read();
        channel.pipeline()
                .fireChannelRead(head)
                .fireChannelRead(part)
                .fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.pipeline().fireChannelReadComplete();
        assertThat(heard).containsExactly(head);
        assertThat(readCompletes).as("no end told while messages wait").isZero();

        channel.read();
        assertThat(heard).containsExactly(head, part);
        assertThat(readCompletes).isZero();
        channel.read();
        assertThat(heard).containsExactly(head, part, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(readCompletes)
                .as("the end, once what the read brought is taken")
                .isEqualTo(1);
        assertThat(socket.count())
                .as("nothing read from the socket while messages waited")
                .isEqualTo(1);

        channel.read();
        assertThat(socket.count()).isEqualTo(2);
    }

    @Test
    @DisplayName("an idle pooled connection that receives anything closes")
    void idleConnectionClosesOnStrayBytes() {
        handler.detach();
        channel.pipeline().fireChannelReadComplete(); // an idle read's end: it keeps listening
        assertThat(socket.count()).isEqualTo(1);

        channel.pipeline().fireChannelRead(Unpooled.copiedBuffer(new byte[] {'x'}));

        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("P7: when the connection becomes a tunnel, what waits goes on to the next handler, in order")
    void waitingGoesOnWhenRemoved() {
        ByteBuf first = Unpooled.copiedBuffer(new byte[] {1});
        ByteBuf second = Unpooled.copiedBuffer(new byte[] {2});
        channel.pipeline().fireChannelRead(first).fireChannelRead(second);

        channel.pipeline().remove(handler);

        assertThat(passedOn).containsExactly(first, second);
        assertThat(heard).isEmpty();
    }

    @Test
    @DisplayName("P6: a close behind waiting messages (the rest of a complete response) hands them all on, in order,"
            + " then tells the close, once")
    void closeAfterWhatWaits() {
        DefaultHttpResponse head = head();
        DefaultHttpContent part = new DefaultHttpContent(Unpooled.buffer().writeByte('a'));
        channel.read();
        channel.pipeline()
                .fireChannelRead(head)
                .fireChannelRead(part)
                .fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(heard).containsExactly(head);

        channel.pipeline().fireChannelInactive();
        channel.pipeline().fireChannelInactive();

        assertThat(heard).containsExactly(head, part, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(readCompletes).as("the end of what it brought, told").isEqualTo(1);
        assertThat(closed).isTrue();
        assertThat(closedWith).isNull();
    }

    @Test
    @DisplayName("a close with nothing waiting tells the exchange at once; a message nobody asked for, idle, is"
            + " released and closes the connection")
    void closeReleasesWhatNobodyTakes() {
        channel.pipeline().fireChannelInactive();
        assertThat(closed).isTrue();

        DefaultHttpContent waiting = new DefaultHttpContent(Unpooled.buffer().writeByte('a'));
        UpstreamResponseHandler other = new UpstreamResponseHandler(codec);
        EmbeddedChannel second = new EmbeddedChannel(other);
        second.pipeline().fireChannelRead(waiting); // idle: nobody attached, and no read was asked
        assertThat(waiting.refCnt()).isZero();
        assertThat(second.isOpen()).as("stray bytes close an idle connection").isFalse();
        second.finishAndReleaseAll();
    }

    private static DefaultHttpResponse head() {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a 204 alone: drained                                    | HTTP/1.1 204 No Content~~                                             | true
            a 204 and the start of a head after it: not drained     | HTTP/1.1 204 No Content~~HTTP/1.1 200 OK~Set-Cookie: session=x~X-Pad: | false
            a 204 and a whole response after it: not drained        | HTTP/1.1 204 No Content~~HTTP/1.1 200 OK~Content-Length: 2~~ok        | false
            a 200 with its length and bytes past it: not drained    | HTTP/1.1 200 OK~Content-Length: 2~~okxyz                              | false
            a 200 and empty lines after it: drained (RFC 9112 2.2) | HTTP/1.1 200 OK~Content-Length: 2~~ok~~                               | true
            """)
    @DisplayName("P1: what a backend sent past its response, decoded or not, keeps its connection out of the pool")
    void drainedOnlyWithNothingPastTheResponse(String name, String bytes, boolean drained) {
        // The codec in front this time, fed bytes (~ for CRLF) as one socket read.
        UpstreamCodec freshCodec = new UpstreamCodec(UpstreamChannelInitializer.decoderConfig());
        UpstreamResponseHandler fresh = new UpstreamResponseHandler(freshCodec);
        fresh.attach(listener);
        EmbeddedChannel upstream = new EmbeddedChannel(freshCodec, fresh);
        try {
            upstream.read();
            upstream.writeInbound(Unpooled.copiedBuffer(bytes.replace("~", "\r\n"), StandardCharsets.US_ASCII));
            while (heard.isEmpty() || !(heard.getLast() instanceof LastHttpContent)) {
                int before = heard.size();
                upstream.read();
                assertThat(heard).as("the response's parts, one per read").hasSizeGreaterThan(before);
            }

            assertThat(fresh.drained()).as(name).isEqualTo(drained);
        } finally {
            upstream.finishAndReleaseAll();
        }
    }

    private static DefaultHttpContent part(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }
}
