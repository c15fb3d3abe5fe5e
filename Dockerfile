# preflight as a container: build the jar with Maven, link a small Java runtime for it, and run both
# on Debian slim as a non-root user. Plain `docker build -t preflight .`; no BuildKit features needed.

# ---- build: the executable jar -----------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src

# Dependencies and plugins first, in their own layer, rebuilt only when the pom changes: the same
# build on an empty source tree downloads exactly what the real one needs (dependency:go-offline
# ignores the pom's exclusions and asks for native jars of Netty's the proxy leaves out, some of which
# Central does not serve).
COPY pom.xml ./
RUN mvn -B -q package -Dmaven.test.skip=true -Dspotless.apply.skip=true && rm -rf target

# Only the main sources: editing a test does not invalidate the jar's layer. Tests are neither
# compiled nor run here (the suite runs on the build machine), and Spotless does not rewrite files.
COPY src/main src/main
RUN mvn -B package -Dmaven.test.skip=true -Dspotless.apply.skip=true \
    && cp target/preflight.jar /preflight.jar
# Netty's epoll library out of the jar, for java.library.path: Netty looks there first, and otherwise
# copies it out of the jar into /tmp at every start, which fails on a read-only root filesystem or a
# noexec /tmp and leaves the proxy on NIO (about 1.1 us more CPU per request, README "Performance").
RUN mkdir /native && cd /native && jar xf /preflight.jar META-INF/native \
    && mv META-INF/native/*.so . && rm -r META-INF && ls /native/libnetty_transport_native_epoll_*.so

# ---- jre: a Java runtime holding only the modules the jar uses -------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS jre
# The modules preflight loads: `jdeps --list-deps` on the jar, less what only unused parts of its
# libraries need (java.desktop for java.beans, java.sql, jdk.sctp), plus what is found at run time:
# jdk.management (Micrometer's process metrics), jdk.naming.dns (Netty's DNS resolver), jdk.jfr
# (Netty's allocator events), jdk.httpserver (the demo's sample API and page), and java.instrument so
# that JAVA_TOOL_OPTIONS can add a -javaagent (without it the JVM refuses to start with one). Verified
# by the container tests and the demo under docker-compose.
ARG JRE_MODULES=java.base,java.instrument,java.logging,java.management,java.naming,java.net.http,java.xml,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported
RUN jlink --add-modules "$JRE_MODULES" \
        --strip-java-debug-attributes --no-man-pages --no-header-files --compress=zip-6 \
        --output /jre \
    && /jre/bin/java -Xshare:dump -version

# ---- runtime --------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 preflight \
    && useradd --system --uid 10001 --gid preflight --home-dir /opt/preflight --no-create-home \
        --shell /usr/sbin/nologin preflight

ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="$JAVA_HOME/bin:$PATH"
COPY --from=jre /jre $JAVA_HOME

WORKDIR /opt/preflight
COPY --from=build /preflight.jar /opt/preflight/preflight.jar
COPY --from=build /native /opt/preflight/native
# The policy users mount over: mount the directory (-v ./conf:/etc/preflight:ro) so that hot reload
# sees editors' renames and Kubernetes ConfigMap symlink swaps.
COPY conf/application.conf /etc/preflight/application.conf

# The admin port listens on all interfaces inside the container, so that -p 9090:9090 reaches it.
ENV PREFLIGHT_CONFIG=/etc/preflight/application.conf \
    PREFLIGHT_ADMIN_HOST=0.0.0.0
EXPOSE 8080 9090

# `preflight healthcheck` asks the admin port's /health/ready and exits 0 or 1. It starts a JVM every
# 10 s, so it is made cheap: C1 only, a small heap, no perf data, and a class-data archive of the
# classes it loads, written here by a training run (against a closed port, hence `|| true`). That
# halves its CPU time (about 1 s to 0.5 s); if the archive ever fails to map, the JVM runs without it.
RUN PREFLIGHT_ADMIN_PORT=1 java -XX:ArchiveClassesAtExit=/opt/preflight/healthcheck.jsa \
        -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -XX:-UsePerfData \
        -jar /opt/preflight/preflight.jar healthcheck >/dev/null 2>&1 || true; \
    test -s /opt/preflight/healthcheck.jsa

# The proxy's JVM flags, chosen by measurement (README, "Performance"): a fixed small heap (the live
# set is a few MiB; bodies stream and are never held), SerialGC (least overhead on one or two cores),
# compact object headers, small thread stacks, Netty's epoll library found where the image keeps it
# (above), and sun.misc.Unsafe allowed for Netty: Java 24 and later deny it by default, and Netty
# then reaches its direct buffers through the FFM API, whose first use spins up native call stubs
# the AOT cache does not keep (about 70 ms of every start; CPU per request measured the same either
# way). They appear three times below (training run, check,
# ENTRYPOINT) and must stay the same: an AOT cache is only used with the flags it was made with, and
# the check fails the build when they differ. The ENTRYPOINT alone adds -XX:TrimNativeHeapInterval,
# which returns the JIT's freed memory to the system (about 16 MiB after load) and does not touch
# the cache.
# An AOT cache (JDK 25, JEP 483/515) of the classes a running proxy loads, linked, with their
# profiles: a training run serves preflights, forwarded requests and admin calls (its upstream is its
# own admin port), then stops on SIGTERM, which writes the cache. It cuts the time from start to the
# first proxied response from about 2.1 s to 0.5 s. The last line fails the build if the
# cache cannot be used with these flags.
RUN printf '%s\n' 'preflight {' \
        'listen { host = "127.0.0.1", port = 18080 }' \
        'admin { enabled = true, host = "127.0.0.1", port = 19090 }' \
        'upstream.url = "http://127.0.0.1:19090"' \
        'cors { allowed-origins = ["https://app.example"], allow-credentials = true, allowed-methods = ["GET", "PUT"], allowed-headers = ["Content-Type"], exposed-headers = ["X-Request-Id"], max-age = 10m }' \
        'reload.watch = false' '}' > /tmp/training.conf \
    && bash -c ' \
        java -XX:+UseSerialGC -Xms32m -Xmx64m -Xss256k -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError \
            --sun-misc-unsafe-memory-access=allow \
            -Djava.library.path=/opt/preflight/native -XX:AOTCacheOutput=/opt/preflight/preflight.aot \
            -jar /opt/preflight/preflight.jar run --config /tmp/training.conf >/dev/null 2>&1 & pid=$!; \
        ask() { exec 3<>/dev/tcp/127.0.0.1/18080 && printf "$1" >&3 && timeout 5 cat <&3 >/dev/null; exec 3<&-; }; \
        for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; sleep 0.1; done; \
        for i in $(seq 50); do \
            ask "OPTIONS /api/x HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n"; \
            ask "GET /health/live HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n"; \
            ask "GET /health/ready HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"; \
        done; \
        kill -TERM $pid; wait $pid' \
    && rm -rf /tmp/training.conf /tmp/hsperfdata_root \
    && java -XX:+UseSerialGC -Xms32m -Xmx64m -Xss256k -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError \
        --sun-misc-unsafe-memory-access=allow -Djava.library.path=/opt/preflight/native \
        -XX:AOTCache=/opt/preflight/preflight.aot -XX:AOTMode=on -version >/dev/null

USER 10001:10001
# Without JAVA_TOOL_OPTIONS, which is meant for the proxy: a JFR recording or an agent given there
# would start again in every check, and rewrite the proxy's recording every 10 s.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["env", "-u", "JAVA_TOOL_OPTIONS", "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-XX:-UsePerfData", \
         "-XX:SharedArchiveFile=/opt/preflight/healthcheck.jsa", "-Xshare:auto", \
         "-jar", "/opt/preflight/preflight.jar", "healthcheck"]

# To run with other flags: --entrypoint java, your flags, then -jar /opt/preflight/preflight.jar run
# (drop the AOT cache, or it is skipped with a warning when the flags differ).
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms32m", "-Xmx64m", "-Xss256k", "-XX:+UseCompactObjectHeaders", \
            "-XX:+ExitOnOutOfMemoryError", "--sun-misc-unsafe-memory-access=allow", \
            "-Djava.library.path=/opt/preflight/native", "-XX:TrimNativeHeapInterval=1000", \
            "-XX:AOTCache=/opt/preflight/preflight.aot", "-jar", "/opt/preflight/preflight.jar"]
CMD ["run"]
