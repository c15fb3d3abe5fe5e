package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

class TransportsTest {
    /** The shortcut past Netty's probe (no library in the jar) must never hide an epoll that loads. */
    @Test
    void epollExactlyWhenNettyCanLoadIt() {
        Transports best = Transports.best();

        assertThat(best.name()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
    }
}
