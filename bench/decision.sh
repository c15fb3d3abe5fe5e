#!/usr/bin/env bash
# JMH benchmark of the CORS decision (ns/op and bytes allocated per op). Bounded: 1 fork, 3 warm-up
# and 5 measured iterations of 2 s per benchmark. Extra arguments go to JMH.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java_bin=""
for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
  v="$("$j" -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')"
  if [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 21 ]; then java_bin="$j"; break; fi
done
[ -n "$java_bin" ] || { echo "bench: needs Java 21 or newer" >&2; exit 1; }
exec "$java_bin" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.openjdk.jmh.Main CorsDecisionBenchmark -prof gc "$@"
