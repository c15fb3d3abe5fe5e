package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * O5, P2: an OutOfMemoryError that reaches a handler (direct memory running out is thrown by Java
 * code, which -XX:+ExitOnOutOfMemoryError does not see) stops the process with status 3, so that it
 * is restarted; it left the proxy alive, answering nobody and reporting itself ready (found by probing).
 */
class OutOfMemoryTest {
    private final List<Integer> halted = new CopyOnWriteArrayList<>();
    private IntConsumer realHalt;

    @BeforeEach
    void record() {
        realHalt = OutOfMemory.halt;
        OutOfMemory.halt = halted::add;
    }

    @AfterEach
    void restore() {
        OutOfMemory.halt = realHalt;
    }

    @Test
    @DisplayName("P2: direct memory that runs out, also wrapped by a decoder, halts with status 3; other errors do not")
    void haltsOnlyOnOutOfMemory() {
        OutOfMemory.haltIfOutOfMemory(new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory"));
        OutOfMemory.haltIfOutOfMemory(new DecoderException(new OutOfMemoryError("Direct buffer memory")));
        OutOfMemory.haltIfOutOfMemory(new DecoderException("malformed"));
        OutOfMemory.haltIfOutOfMemory(new IllegalStateException("x"));

        assertThat(halted).containsExactly(3, 3);
    }

    @Test
    @DisplayName("P2: a tunnel's handler that is told of one halts the process")
    void tunnelHandlerHalts() {
        EmbeddedChannel peer = new EmbeddedChannel();
        EmbeddedChannel channel = new EmbeddedChannel(new TunnelHandler(peer, 1_000_000_000L, () -> {}));

        channel.pipeline()
                .fireExceptionCaught(new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory"));

        assertThat(halted).containsExactly(3);
        channel.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }
}
