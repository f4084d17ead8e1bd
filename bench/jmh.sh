#!/usr/bin/env bash
# Runs the JMH microbenchmarks (gateway/src/test/java/**/*Benchmark.java) on the newest JDK found.
#   bench/jmh.sh                 every benchmark
#   bench/jmh.sh JwtVerify       those whose name matches a regex; any other JMH option may follow
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -B -q -DskipTests -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
java_bin="java"
for d in /usr/lib/jvm/temurin-25*/ "${JAVA_HOME:-/nonexistent}/"; do
  if [ -x "${d}bin/java" ]; then java_bin="${d}bin/java"; fi
done
exec "$java_bin" --enable-native-access=ALL-UNNAMED -cp "gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/bench.classpath)" org.openjdk.jmh.Main "$@"
