# preflight as a container: build the jar with Maven, link a small Java runtime for it, and run both
# on Debian slim as a non-root user. Plain `docker build -t preflight .`; no BuildKit features needed.

# ---- build: the executable jar -----------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src

# Dependencies and plugins first, in their own layer, rebuilt only when the pom changes: the same
# build on an empty source tree downloads exactly what the real one needs (dependency:go-offline
# ignores the pom's exclusions and asks for Netty's native jars, which Central does not have).
COPY pom.xml ./
RUN mvn -B -q package -Dmaven.test.skip=true -Dspotless.apply.skip=true && rm -rf target

# Only the main sources: editing a test does not invalidate the jar's layer. Tests are neither
# compiled nor run here (the suite runs on the build machine), and Spotless does not rewrite files.
COPY src/main src/main
RUN mvn -B package -Dmaven.test.skip=true -Dspotless.apply.skip=true \
    && cp target/preflight.jar /preflight.jar

# ---- jre: a Java runtime holding only the modules the jar uses -------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS jre
# The modules preflight loads: `jdeps --list-deps` on the jar, less what only unused parts of its
# libraries need (java.desktop for java.beans, java.sql, jdk.sctp), plus what is found at run time:
# jdk.management (Micrometer's process metrics), jdk.naming.dns (Netty's DNS resolver), jdk.jfr
# (Netty's allocator events), jdk.httpserver (the demo's sample API and page). Verified by the
# container tests and the demo under docker-compose.
ARG JRE_MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.xml,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported
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

USER 10001:10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-XX:-UsePerfData", \
         "-XX:SharedArchiveFile=/opt/preflight/healthcheck.jsa", "-Xshare:auto", \
         "-jar", "/opt/preflight/preflight.jar", "healthcheck"]

# Heap at most half the container's memory: Netty's direct buffers may by default use as much
# again. SerialGC: the least overhead for a heap this small on one or two cores.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=50", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", \
            "-Xss512k", "-Xshare:auto", "-jar", "/opt/preflight/preflight.jar"]
CMD ["run"]
