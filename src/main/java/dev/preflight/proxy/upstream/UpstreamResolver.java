package dev.preflight.proxy.upstream;

import dev.preflight.proxy.Transports;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves upstream host names with Netty's DNS resolver rather than the JDK's: asynchronous on the
 * event loop (a slow DNS server would otherwise stall every connection of that loop), each answer
 * cached for its TTL, {@code /etc/hosts} and {@code /etc/resolv.conf} (servers, search domains,
 * ndots) read as libc reads them, so Docker and Kubernetes service names resolve as usual. One group
 * per transport for the process: it keeps one resolver per event loop and closes it when that loop
 * shuts down.
 */
final class UpstreamResolver {
    private static final Map<String, AddressResolverGroup<InetSocketAddress>> GROUPS = new ConcurrentHashMap<>();

    private UpstreamResolver() {}

    static AddressResolverGroup<InetSocketAddress> of(Transports transports) {
        return GROUPS.computeIfAbsent(
                transports.name(),
                name -> new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(transports.datagramChannel())
                        .socketChannelType(transports.socketChannel())));
    }
}
