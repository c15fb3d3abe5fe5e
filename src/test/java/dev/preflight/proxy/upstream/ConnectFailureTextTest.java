package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** P6: a failed connect is logged in words, not as an exception's class or a hex dump. */
class ConnectFailureTextTest {

    @Test
    void wordsForEachFailure() {
        assertThat(ConnectFailureText.describe(new ConnectException("Connection refused")))
                .isEqualTo("Connection refused");
        assertThat(ConnectFailureText.describe(new NotSslRecordException("not an SSL/TLS record: 485454502f31")))
                .isEqualTo("the upstream's answer is not TLS (is it plain HTTP? the upstream URL says https)");
        assertThat(ConnectFailureText.describe(new ClosedChannelException()))
                .isEqualTo("the upstream closed the connection");
        // Netty's channel factory, out of descriptors: the reason three causes down.
        ChannelException noSocket = new ChannelException(
                "Unable to create Channel from class class io.netty.channel.epoll.EpollSocketChannel",
                new InvocationTargetException(
                        new ChannelException("Failed to open a socket.", new IOException("Too many open files"))));
        assertThat(ConnectFailureText.describe(noSocket)).isEqualTo("no socket could be made: Too many open files");
        assertThat(ConnectFailureText.describe(null)).isEqualTo("no cause given");
    }
}
