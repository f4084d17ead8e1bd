#!/usr/bin/env bash
# The Keycloak interop suite (gateway/src/test/java/gatehouse/it/KeycloakIT) in one command, from
# anywhere in the repository: Maven fetches org.keycloak:keycloak-quarkus-dist from Maven Central
# (profile `keycloak` in gateway/pom.xml), the suite starts it on 127.0.0.1 with gatehouse-realm.json,
# and the result with the measured times is kept in LAST-RESULT.md beside this script.
# Extra arguments go to Maven (e.g. -o when the distribution is already in ~/.m2).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../../../.."
rm -f gateway/target/keycloak-interop.md
mvn -B -pl gateway -am verify -Pkeycloak -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KeycloakIT "$@"
status=$?
if [ -f gateway/target/keycloak-interop.md ]; then
  { cat gateway/target/keycloak-interop.md
    echo
    echo "Maven exit status: $status. Tree: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- gateway/src/main gateway/src/test/java || echo ' with local changes')."
    echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  } > "$here/LAST-RESULT.md"
  echo "== recorded in $here/LAST-RESULT.md"
fi
exit $status
