#!/usr/bin/env bash
# Gatehouse end-to-end benchmark against nginx and HAProxy (issue 7). See bench/README.md.
#
#   bench/run.sh               full run: 5 rounds of 30 s per contender (~30 min)
#   bench/run.sh --quick       3 rounds of 4 s, 6 s JVM warm-up per row (~4 min)
#   bench/run.sh --smoke       3 rounds of 2 s: checks the harness, measures nothing worth keeping
#   options: --rounds N  --duration SECONDS  --warmup SECONDS (JIT warm-up per JVM row)
#            --no-install (never call apt-get)  --out FILE (result file)
#            --rows ID,ID (measure only these rows, e.g. --rows gh-key-local,gh-key-redis,gh-keys-local,gh-keys-redis)
#   env:     GATEHOUSE_HOME (gateway checkout, default: this repository), GATEHOUSE_JAVA_OPTS (as for
#            ./gatehouse), BENCH_TOKENS (distinct tokens, default 10000), BENCH_CONNECTIONS (64),
#            BENCH_THREADS (2), BENCH_KEYS (limited API keys of the many-keys rows, default 10000),
#            BENCH_REDIS (the Redis of the per-key-limit-on-Redis rows, default redis://127.0.0.1:6379)
#
# Everything listens on 127.0.0.1 on free ports; every process started here is stopped by PID on
# exit, failure or Ctrl-C. Generated keys, tokens, configs and logs live in bench/work/ (gitignored).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GATEHOUSE_HOME="$(cd "${GATEHOUSE_HOME:-$BENCH_DIR/..}" && pwd)"
WORK="$BENCH_DIR/work"
GH_JAR="$GATEHOUSE_HOME/gateway/target/gatehouse.jar"  # built by ./gatehouse; also holds Vert.x and Netty
KEYS="$WORK/keys"
RUN="$WORK/run"
ISSUER="https://issuer.bench.local/"
# The distinct tokens' issuer: Gatehouse gives it its own provider with `cache: false`, so every
# request of that row verifies an RS256 signature (the verified-token cache never answers).
ISSUER_UNCACHED="https://uncached.issuer.bench.local/"
AUDIENCE="bench"
TOKENS_WANTED="${BENCH_TOKENS:-10000}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
KEYS_WANTED="${BENCH_KEYS:-10000}"
BENCH_REDIS="${BENCH_REDIS:-redis://127.0.0.1:6379}"
# This run's own key prefix on that Redis; its keys are deleted when the run ends.
REDIS_PREFIX="gh-bench-$$-$RANDOM:"
# The highest per-minute limit a key may have (16,667 a second): more than a row sends here, so no 429.
KEY_LIMIT=1000000
export BENCH_ADMIN_TOKEN="bench-admin-token-not-a-real-one-0123456789"

mode="full"; rounds=5; duration=30; warmup=20; install=1; out=""; only=""
rounds_set=""; duration_set=""; warmup_set=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode="quick" ;;
    --full) mode="full" ;;
    --smoke) mode="smoke" ;;
    --rounds) rounds_set="$2"; shift ;;
    --duration) duration_set="$2"; shift ;;
    --warmup) warmup_set="$2"; shift ;;
    --no-install) install=0 ;;
    --out) out="$2"; shift ;;
    --rows) only=",$2,"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$mode" in
  quick) rounds=3; duration=4; warmup=6 ;;
  smoke) rounds=3; duration=2; warmup=2 ;;
esac
rounds="${rounds_set:-$rounds}"; duration="${duration_set:-$duration}"; warmup="${warmup_set:-$warmup}"
for v in rounds duration warmup TOKENS_WANTED CONNECTIONS THREADS KEYS_WANTED; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || { echo "run.sh: $v must be a positive whole number" >&2; exit 2; }
done
[ "$rounds" -ge 3 ] || { echo "run.sh: at least 3 rounds (medians of fewer mean little)" >&2; exit 2; }

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ABORT: $*"; exit 1; }

# ---------------------------------------------------------------- processes we own, stopped by PID
PIDS=()
alive() {  # a zombie (exited, not yet reaped) counts as gone
  local st
  st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  st="${st##*) }"
  [ "${st:0:1}" != Z ]
}
stop_all() {
  local i pid n
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    pid="${PIDS[$i]}"
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    pid="${PIDS[$i]}"
    for ((n=0; n<150; n++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "pid $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)) ignored SIGTERM for 15 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$WRK_PID" ] && kill -TERM "$WRK_PID" 2>/dev/null
  [ ${#PIDS[@]} -gt 0 ] && { log "stopping ${#PIDS[@]} processes started by this run"; stop_all; }
  delete_redis_keys
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- tools
ensure_tools() {
  local missing=() c
  for c in wrk nginx haproxy curl jq; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$install" = 1 ] || die "missing ${missing[*]} and --no-install was given"
    log "installing from Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  local v; v="$(haproxy -v | sed -n 's/^HAProxy version \([0-9]*\.[0-9]*\).*/\1/p' | head -n1)"
  [ -n "$v" ] || die "cannot read the HAProxy version from 'haproxy -v'"
  awk -v v="$v" 'BEGIN { split(v, a, "."); exit !(a[1] > 2 || (a[1] == 2 && a[2] >= 5)) }' \
    || die "HAProxy $v has no jwt_verify (needs 2.5 or newer)"
  # Read whole, then searched: `haproxy -vv | grep -q` fails under pipefail when grep stops reading
  # early and haproxy dies of SIGPIPE.
  local vv; vv="$(haproxy -vv 2>/dev/null || true)"
  grep -q 'USE_OPENSSL=1' <<< "$vv" || die "HAProxy is built without OpenSSL, so without jwt_verify"
  JAVA="${JAVA:-}"
  if [ -z "$JAVA" ]; then
    for d in /usr/lib/jvm/temurin-25*/ "${JAVA_HOME:-/nonexistent}/"; do [ -x "${d}bin/java" ] && JAVA="${d}bin/java"; done
    [ -n "$JAVA" ] || JAVA="$(command -v java || true)"
  fi
  [ -n "$JAVA" ] || die "no java found for the token generator"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
USED_PORTS=" "
free_port() {
  local p n
  for ((n=0; n<200; n++)); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 ))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    if port_free "$p"; then USED_PORTS+="$p "; echo "$p"; return; fi
  done
  die "no free port found in 200 tries"
}

# CPU ticks (utime+stime, all threads) of a process and its direct children (nginx workers).
group_pids() { local p="$1"; echo "$p"; ps -o pid= --ppid "$p" 2>/dev/null || true; }
cpu_ticks() {
  local total=0 p f
  for p in $(group_pids "$1"); do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }"; read -r -a a <<< "$f"
    total=$(( total + a[11] + a[12] ))
  done
  echo "$total"
}
# Sum of a /proc status field (VmHWM, VmRSS) in KiB over a process and its direct children.
mem_kib() {
  local total=0 p v
  for p in $(group_pids "$1"); do
    v="$(awk -v k="$2:" '$1 == k { print $2 }' "/proc/$p/status" 2>/dev/null || true)"
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

wait_http() {  # url expected_status seconds
  local n
  for ((n=0; n<$3*20; n++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true)" = "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

# ---------------------------------------------------------------- key material
make_keys() {
  mkdir -p "$KEYS"
  local meta="$KEYS/meta" want="tokens=$TOKENS_WANTED issuer=$ISSUER distinct_issuer=$ISSUER_UNCACHED audience=$AUDIENCE"
  # Tokens are valid for 7 days; regenerate after 1 day, or when the count or claims changed.
  if [ -f "$meta" ] && [ "$(cat "$meta")" = "$want" ] && [ -z "$(find "$meta" -mmin +1440)" ] \
     && [ -s "$KEYS/distinct.txt" ]; then
    log "reusing keys and tokens in bench/work/keys (less than a day old)"
    return
  fi
  log "generating RSA keys and $TOKENS_WANTED RS256 tokens (about 1 s per 1,000 tokens)"
  rm -f "$meta"
  "$JAVA" "$BENCH_DIR/tools/TokenGen.java" "$KEYS" "$ISSUER" "$AUDIENCE" "$TOKENS_WANTED" 604800 "$ISSUER_UNCACHED" >&2
  echo "$want" > "$meta"
}

# ---------------------------------------------------------------- configs
write_backend_conf() {
  mkdir -p "$RUN/backend"
  cat > "$RUN/backend/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $RUN/backend/nginx.pid;
error_log $RUN/backend/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $RUN/backend/tmp;
  default_type application/json;
  server {
    listen 127.0.0.1:$P_BACKEND backlog=4096;
    location / { return 200 '{"ok":true,"service":"bench-backend"}\n'; }
    # What the backend saw, for the checks before measuring (never measured).
    location ~ /echo\$ { default_type text/plain; return 200 "user=[\$http_x_user_id] auth=[\$http_authorization] apikey=[\$http_x_api_key]\n"; }
  }
}
EOF
}

write_nginx_conf() {
  mkdir -p "$RUN/nginx"
  cat > "$RUN/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $RUN/nginx/access.log;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $RUN/nginx/tmp;
  proxy_temp_path $RUN/nginx/tmp;
  upstream backend {
    server 127.0.0.1:$P_BACKEND;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$P_NGINX backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
}

write_haproxy_conf() {
  mkdir -p "$RUN/haproxy"
  cat > "$RUN/haproxy/haproxy.cfg" <<EOF
global
  log stdout format raw local0
  maxconn 4096
  # nbthread: HAProxy's default, one thread per CPU.

defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 75s

frontend bench
  bind 127.0.0.1:$P_HAPROXY
  # RS256 JWT at the edge: alg, iss (either bench issuer), aud (a single string here) and exp checked, signature
  # verified against the PEM key, X-User-Id set from sub, Authorization dropped. Every failure is 401.
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  http-request set-var(txn.iss) var(txn.bearer),jwt_payload_query('\$.iss')
  http-request set-var(txn.aud) var(txn.bearer),jwt_payload_query('\$.aud')
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('\$.exp','int')
  http-request set-var(txn.now) date()
  http-request deny deny_status 401 unless { var(txn.alg) -m str RS256 }
  http-request deny deny_status 401 unless { var(txn.iss) -m str $ISSUER $ISSUER_UNCACHED }
  http-request deny deny_status 401 unless { var(txn.aud) -m str $AUDIENCE }
  http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"$KEYS/good.pub.pem") -m int 1 }
  http-request set-header X-User-Id %[var(txn.bearer),jwt_payload_query('\$.sub')]
  http-request del-header Authorization
  default_backend backend

backend backend
  http-reuse always
  server b1 127.0.0.1:$P_BACKEND maxconn 1000
EOF
}

# $1: 1 to include the API-key store, $2: 1 to include introspection.
write_gatehouse_conf() {
  local file="$3"
  {
    cat <<EOF
# Generated by bench/run.sh for one benchmark run.
listen:
  host: 127.0.0.1
  port: $P_GATEHOUSE
admin:
  host: 127.0.0.1
  port: $P_ADMIN
upstreams:
  backend:
    url: http://127.0.0.1:$P_BACKEND
auth:
  jwt:
    - name: bench
      issuer: "$ISSUER"
      audiences: [$AUDIENCE]
      public_key_pem: $KEYS/good.pub.pem
      algorithms: [RS256]
    # The distinct tokens' issuer: same key, cache off, so each of its tokens is verified every time.
    - name: bench-uncached
      issuer: "$ISSUER_UNCACHED"
      audiences: [$AUDIENCE]
      public_key_pem: $KEYS/good.pub.pem
      algorithms: [RS256]
      cache: false
EOF
    if [ "$1" = 1 ]; then
      cat <<EOF
  api_keys:
    store: "sqlite:$RUN/apikeys.db"
    admin_api: {token: "\${BENCH_ADMIN_TOKEN}"}
EOF
    fi
    if [ "$2" = 1 ]; then
      cat <<EOF
  introspection:
    - name: bench-introspect
      endpoint: "http://127.0.0.1:$P_INTROSPECT/introspect"
      client_id: gatehouse-bench
      client_secret: \${BENCH_INTROSPECTION_SECRET}
      cache_ttl: 60s
EOF
    fi
    if [ "${4:-}" = redis ]; then
      # The second Gatehouse of the per-key-limit rows: the same keys, its buckets on Redis.
      cat <<EOF
redis:
  url: "$BENCH_REDIS"
  key_prefix: "$REDIS_PREFIX"
  # Far above a round trip on this loaded machine, so that Redis decides every request and the
  # rows measure Redis, not the local fallback (the report gives the decisions by who answered).
  timeout: 1s
EOF
    fi
    cat <<EOF
routes:
  - id: bench-jwt
    match: {prefix: /api/}
    upstream: backend
    policy: jwt
  - id: bench-public
    match: {prefix: /pub/}
    upstream: backend
    policy: public
EOF
    if [ "$1" = 1 ]; then
      cat <<EOF
  - id: bench-apikey
    match: {prefix: /key/}
    upstream: backend
    policy: api_key
EOF
    fi
  } > "$file"
}

# The introspection stand-in's client secret: set before the probe validates the config, too.
export BENCH_INTROSPECTION_SECRET="bench-introspection-secret-not-a-real-one"
gatehouse_cli() { "$GATEHOUSE_HOME/gatehouse" "$@"; }

# Decides which optional Gatehouse rows this build supports: a config key that the loader refuses
# as unknown means "not available in this build"; any other refusal is reported as it is.
APIKEY_STATUS=""; INTROSPECT_STATUS=""
probe_feature() {  # name apikeys introspection -> sets a status ("" = available)
  local f="$RUN/probe-$1.yaml" msg
  write_gatehouse_conf "$2" "$3" "$f"
  if msg="$(gatehouse_cli validate --config "$f" 2>&1)"; then echo ""; return; fi
  if grep -q "unknown key" <<< "$msg"; then
    echo "not available in this build (the config loader refuses $( [ "$2" = 1 ] && echo auth.api_keys.store || echo auth.introspection ): $(grep -m1 'unknown key' <<< "$msg" | sed 's/^.*probe-[a-z]*\.yaml://'))"
  else
    echo "skipped: this build refuses the bench config: $(head -n3 <<< "$msg" | tr '\n' ' ')"
  fi
}

# ---------------------------------------------------------------- start
start_bg() {  # logfile command... ; prints the PID
  local logf="$1"; shift
  "$@" >>"$logf" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  LAST_PID="$pid"
}

GH_READY_MS=""; GH_JVM_READY_MS=""; DEMO_CHECK_MS=""
start_gatehouse() {  # conf [log file] [admin port]
  local conf="$1" glog="${2:-$RUN/gatehouse.log}" admin="${3:-$P_ADMIN}" t0 t_jvm="" pid n comm
  t0="${EPOCHREALTIME/./}"
  start_bg "$glog" "$GATEHOUSE_HOME/gatehouse" run --config "$conf"
  pid="$LAST_PID"; P_GH_PID="$pid"
  # The launcher probes the installed JDKs, then execs java in the same process: note when it does.
  for ((n=0; n<3000; n++)); do
    alive "$pid" || die "Gatehouse exited during start; see $glog:
$(tail -n 20 "$glog")"
    read -r comm < "/proc/$pid/comm" 2>/dev/null || comm=""
    if [ "$comm" = "java" ]; then t_jvm="${EPOCHREALTIME/./}"; break; fi
    sleep 0.005
  done
  for ((n=0; n<6000; n++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$admin/ready" || true)" = 200 ] && break
    alive "$pid" || die "Gatehouse exited during start; see $glog:
$(tail -n 20 "$glog")"
    sleep 0.01
  done
  local t1="${EPOCHREALTIME/./}"
  [ "$n" -lt 6000 ] || die "Gatehouse /ready did not answer 200 within 60 s"
  GH_READY_MS=$(( (t1 - t0) / 1000 ))
  [ -n "$t_jvm" ] && GH_JVM_READY_MS=$(( (t1 - t_jvm) / 1000 ))
  GH_JAVA="$(readlink "/proc/$pid/exe" || true)"
  [ -n "$GH_JAVA" ] || die "cannot tell which java the launcher started"
  [ "$glog" = "$RUN/gatehouse.log" ] && cp "$RUN/gatehouse.log" "$RUN/gatehouse-startup.log"
  return 0
}

# Keys of the per-key-limit rows, made through the first Gatehouse's admin API (one curl, one
# connection kept alive, one request after another): $1 keys limited to KEY_LIMIT a minute, their
# secrets one a line in $2.
make_limited_keys() {
  local n="$1" file="$2" i cfg="$RUN/keys-create.curl"
  : > "$cfg"
  for ((i=0; i<n; i++)); do
    [ "$i" -gt 0 ] && echo "next" >> "$cfg"
    printf 'url = "http://127.0.0.1:%s/keys"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"owner\\": \\"bench\\", \\"scopes\\": [\\"bench\\"], \\"rate_limit\\": %s}"\nwrite-out = "\\n"\n' \
      "$P_ADMIN" "$BENCH_ADMIN_TOKEN" "$KEY_LIMIT" >> "$cfg"
  done
  curl -s -K "$cfg" | jq -r 'select(.key != null) | .key' > "$file"
  rm -f "$cfg"
  [ "$(wc -l < "$file")" -eq "$n" ] || die "made $(wc -l < "$file") of $n limited API keys through the admin API"
}

delete_redis_keys() {
  [ -n "${REDIS_USED:-}" ] || return 0
  command -v redis-cli >/dev/null 2>&1 || { log "no redis-cli: the keys under $REDIS_PREFIX stay until they expire (a minute)"; return 0; }
  redis-cli -u "$BENCH_REDIS" --scan --pattern "$REDIS_PREFIX*" | xargs -r -n 500 redis-cli -u "$BENCH_REDIS" del > /dev/null || true
}

# Start-up on a quiet machine: Gatehouse started STARTS times before any other server, each
# stopped (SIGTERM, by PID) once /ready answers. The start of the measured gateway, later, has the
# other contenders starting beside it (the introspection stand-in compiles itself), so it is noted too
# but is not the figure.
STARTS=5; STARTS_MS=(); STARTS_JVM_MS=()
measure_starts() {  # conf
  local i
  for ((i=0; i<STARTS; i++)); do
    start_gatehouse "$1"
    STARTS_MS+=("$GH_READY_MS"); STARTS_JVM_MS+=("${GH_JVM_READY_MS:-}")
    kill -TERM "$P_GH_PID" 2>/dev/null || true
    wait "$P_GH_PID" 2>/dev/null || true
  done
  GH_READY_MS=""; GH_JVM_READY_MS=""
}
# "median (min–max)" of the numbers on stdin, in ms
spread() {
  local v; v="$(sort -g | sed '/^$/d')"
  [ -n "$v" ] || { echo "–"; return; }
  printf '%.0f ms (%s–%s)' "$(median <<< "$v")" "$(head -n1 <<< "$v")" "$(tail -n1 <<< "$v")"
}

# The reference proxies (tools/VertxMinimalProxy.java, tools/NettyMinimalProxy.java): no auth, no
# log, only the framework. They run on the JVM Gatehouse runs on (GH_JAVA), with the flags that
# ./gatehouse gives it, so that their rows differ from Gatehouse's only in what Gatehouse does.
REF_OPTS=(); REF_HOW=""
prepare_references() {
  local defaults major javac
  # The launcher's default flags, read from it so the two cannot drift apart.
  defaults="$(sed -n 's/^default_opts+\{0,1\}="\(.*\)"$/\1/p' "$GATEHOUSE_HOME/gatehouse" | tr '\n' ' ')"
  [ -n "$defaults" ] || die "cannot read default_opts from $GATEHOUSE_HOME/gatehouse (the reference proxies must run with its flags)"
  read -r -a REF_OPTS <<< "${GATEHOUSE_JAVA_OPTS:-$defaults}"
  major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$GH_JAVA")")/release" 2>/dev/null | head -n1)"
  [[ "$major" =~ ^[0-9]+$ ]] || major="$("$GH_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
  [ "${major:-0}" -ge 23 ] && REF_OPTS+=("--sun-misc-unsafe-memory-access=allow")
  # Only silences the JDK 24+ warning about Netty's JNI library; changes nothing else.
  "$GH_JAVA" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1 && REF_OPTS+=("--enable-native-access=ALL-UNNAMED")
  # Compiled ahead with the JDK's own javac: run from source, the compiler would run inside the
  # measured JVM and add ~45 MiB to its peak RSS.
  javac="$(dirname "$GH_JAVA")/javac"
  if [ -x "$javac" ] && "$javac" -nowarn -cp "$GH_JAR" -d "$RUN/reference-classes" \
       "$BENCH_DIR/tools/VertxMinimalProxy.java" "$BENCH_DIR/tools/NettyMinimalProxy.java" >"$RUN/reference-javac.log" 2>&1; then
    REF_HOW="compiled"
  else
    log "no javac next to $GH_JAVA (or it failed: $(head -n3 "$RUN/reference-javac.log" 2>/dev/null | tr '\n' ' ')); running the reference proxies from source"
    REF_HOW="source"
  fi
}
start_reference() {  # class listen_port; sets LAST_PID
  local cls="$1" port="$2"
  if [ "$REF_HOW" = compiled ]; then
    start_bg "$RUN/$cls.log" "$GH_JAVA" "${REF_OPTS[@]}" -cp "$GH_JAR:$RUN/reference-classes" "$cls" "$port" "$P_BACKEND"
  else
    start_bg "$RUN/$cls.log" "$GH_JAVA" "${REF_OPTS[@]}" -cp "$GH_JAR" "$BENCH_DIR/tools/$cls.java" "$port" "$P_BACKEND"
  fi
  local pid="$LAST_PID" n
  for ((n=0; n<600; n++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/" || true)" = 200 ] && return 0
    alive "$pid" || die "$cls exited during start; see bench/work/run/$cls.log:
$(tail -n 20 "$RUN/$cls.log")"
    sleep 0.05
  done
  die "$cls did not answer 200 within 30 s; see bench/work/run/$cls.log"
}

# ---------------------------------------------------------------- checks before measuring
CHECK_FAILS=0; CHECK_LINES=""
expect() {  # description expected_status url [curl args...]; the body goes to $RUN/last-body
  local what="$1" want="$2" url="$3"; shift 3
  local got
  got="$(curl -s -o "$RUN/last-body" -w '%{http_code}' --max-time 5 "$@" "$url" || echo 000)"
  if [ "$got" = "$want" ]; then CHECK_LINES+="  [ ok ] $got  $what"$'\n'
  else CHECK_LINES+="  [FAIL] $got  $what (expected $want)"$'\n'; CHECK_FAILS=$((CHECK_FAILS+1)); fi
}
expect_body() {  # description substring
  if grep -qF -- "$2" "$RUN/last-body"; then CHECK_LINES+="  [ ok ]      $1"$'\n'
  else CHECK_LINES+="  [FAIL]      $1: backend saw $(tr -d '\n' < "$RUN/last-body")"$'\n'; CHECK_FAILS=$((CHECK_FAILS+1)); fi
}

jwt_iss() {  # the iss claim of a JWT, read without checking anything
  local p; p="$(cut -d. -f2 <<< "$1" | tr '_-' '/+')"
  while (( ${#p} % 4 )); do p+="="; done
  base64 -d <<< "$p" 2>/dev/null | jq -r '.iss // empty' 2>/dev/null || true
}

run_checks() {
  local good evil first last opaque base
  good="$(cat "$KEYS/good.jwt")"; evil="$(cat "$KEYS/evil.jwt")"
  first="$(head -n1 "$KEYS/distinct.txt")"; last="$(tail -n1 "$KEYS/distinct.txt")"
  if [ "$(jwt_iss "$first")" = "$ISSUER_UNCACHED" ] && [ "$(jwt_iss "$last")" = "$ISSUER_UNCACHED" ] && [ "$(jwt_iss "$good")" = "$ISSUER" ]; then
    CHECK_LINES+="  [ ok ]      tokens: the distinct ones are issued by $ISSUER_UNCACHED (cache: false), the others by $ISSUER"$'\n'
  else
    CHECK_LINES+="  [FAIL]      tokens: the distinct ones must be issued by $ISSUER_UNCACHED, the others by $ISSUER"$'\n'; CHECK_FAILS=$((CHECK_FAILS+1))
  fi
  expect "direct: backend answers" 200 "http://127.0.0.1:$P_BACKEND/api/bench"
  expect "nginx: plain proxy answers (no auth)" 200 "http://127.0.0.1:$P_NGINX/api/bench"

  base="http://127.0.0.1:$P_HAPROXY"
  expect "haproxy: right key accepted" 200 "$base/api/bench" -H "Authorization: Bearer $good"
  expect "haproxy: token signed by another key refused" 401 "$base/api/bench" -H "Authorization: Bearer $evil"
  expect "haproxy: no token refused" 401 "$base/api/bench"
  expect "haproxy: a distinct token accepted" 200 "$base/api/bench" -H "Authorization: Bearer $last"
  expect "haproxy: identity at the backend" 200 "$base/api/echo" -H "Authorization: Bearer $good" -H "X-User-Id: spoofed"
  expect_body "haproxy: X-User-Id from sub, Authorization dropped" "user=[bench-user] auth=[]"

  expect "reference Vert.x proxy: answers 200 through to the backend" 200 "http://127.0.0.1:$P_VXREF/api/echo" -H "X-User-Id: through"
  expect_body "reference Vert.x proxy: the backend saw the request" "user=[through] auth=[]"
  expect "reference Netty proxy: answers 200 through to the backend" 200 "http://127.0.0.1:$P_NTREF/api/echo" -H "X-User-Id: through"
  expect_body "reference Netty proxy: the backend saw the request" "user=[through] auth=[]"

  base="http://127.0.0.1:$P_GATEHOUSE"
  expect "gatehouse: right key accepted" 200 "$base/api/bench" -H "Authorization: Bearer $good"
  expect "gatehouse: token signed by another key refused" 401 "$base/api/bench" -H "Authorization: Bearer $evil"
  expect "gatehouse: no token refused" 401 "$base/api/bench"
  expect "gatehouse: first distinct token accepted" 200 "$base/api/bench" -H "Authorization: Bearer $first"
  expect "gatehouse: last distinct token accepted" 200 "$base/api/bench" -H "Authorization: Bearer $last"
  expect "gatehouse: identity at the backend" 200 "$base/api/echo" -H "Authorization: Bearer $good" -H "X-User-Id: spoofed"
  expect_body "gatehouse: X-User-Id from sub, Authorization dropped" "user=[bench-user] auth=[]"
  expect "gatehouse: public route answers" 200 "$base/pub/echo" -H "X-User-Id: spoofed"
  expect_body "gatehouse: spoofed X-User-Id stripped on the public route" "user=[]"
  if [ -z "$APIKEY_STATUS" ]; then
    expect "gatehouse: API key accepted" 200 "$base/key/echo" -H "X-API-Key: $API_KEY"
    expect_body "gatehouse: API key not forwarded" "apikey=[]"
    expect "gatehouse: unknown API key refused" 401 "$base/key/bench" -H "X-API-Key: ${API_KEY%????}AAAA"
  fi
  if [ -z "$INTROSPECT_STATUS" ]; then
    opaque="$(cat "$KEYS/opaque.txt")"
    expect "gatehouse: active opaque token accepted" 200 "$base/api/echo" -H "Authorization: Bearer $opaque"
    expect_body "gatehouse: X-User-Id from the introspection answer" "user=[bench-user]"
    expect "gatehouse: inactive opaque token refused" 401 "$base/api/bench" -H "Authorization: Bearer opq_not-the-active-token"
  fi
  printf '%s' "$CHECK_LINES" >&2
  [ "$CHECK_FAILS" = 0 ] || die "$CHECK_FAILS check(s) failed: a contender that lets a wrong token through (or refuses a right one) is not benchmarked"
}

# ---------------------------------------------------------------- measuring
# Rows: id|label|group|url|header|tokens_file. group names the process measured for CPU and RSS.
# A row whose group is "skip" is shown in the table, unmeasured, with its reason in the header field.
ROWS=()
add_row() {  # id label group url header [tokens_file [tokens_header]]; with --rows, rows not named are left out
  [ -z "$only" ] || [[ "$only" == *",$1,"* ]] || return 0
  ROWS+=("$1|$2|$3|$4|$5|${6:-}|${7:-}")
}

group_pid() {
  case "$1" in
    backend) echo "$P_BACKEND_PID" ;; nginx) echo "$P_NGINX_PID" ;;
    haproxy) echo "$P_HAPROXY_PID" ;; gatehouse) echo "$P_GH_PID" ;; gatehouse-redis) echo "$P_GHR_PID" ;;
    vertx-ref) echo "$P_VXREF_PID" ;; netty-ref) echo "$P_NTREF_PID" ;;
  esac
}

truncate_logs() { : > "$RUN/nginx/access.log"; : > "$RUN/haproxy/haproxy.log"; : > "$RUN/gatehouse.log"; : > "$RUN/gatehouse-redis.log"; }

# wrk runs in the background and the shell waits for it with the `wait` builtin, which returns
# at once when a trapped signal arrives: a SIGINT or SIGTERM sent to this script alone (not to its
# process group) still stops the run at once. (A shell waiting on a foreground child would ignore
# such a SIGINT until the child ends.)
WRK_PID=""
run_wrk() {  # seconds url header tokens_file [tokens_header]; the BENCH line goes to $RUN/wrk.line
  local secs="$1" url="$2" header="$3" tokens="$4" theader="${5:-}"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 5s -s "$BENCH_DIR/wrk/bench.lua")
  [ -n "$header" ] && args+=(-H "$header")
  BENCH_TOKENS_FILE="$tokens" BENCH_TOKENS_HEADER="$theader" timeout $((secs + 30)) wrk "${args[@]}" "$url" > "$RUN/wrk.out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || true
  WRK_PID=""
  if ! grep -m1 '^BENCH ' "$RUN/wrk.out" > "$RUN/wrk.line"; then
    log "wrk failed: $(tail -n 5 "$RUN/wrk.out")"
    echo "BENCH requests=0 duration_us=1 rps=0 p50_us=0 p99_us=0 socket_errors=1 non2xx3xx=0" > "$RUN/wrk.line"
  fi
}

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< " $2"; }

measure_round() {  # round
  local row id label group url header tokens theader pid c0 c1 line
  for row in "${ROWS[@]}"; do
    IFS='|' read -r id label group url header tokens theader <<< "$row"
    [ "$group" = skip ] && continue
    pid="$(group_pid "$group")"
    c0="$(cpu_ticks "$pid")"
    run_wrk "$duration" "$url" "$header" "$tokens" "$theader"
    line="$(cat "$RUN/wrk.line")"
    c1="$(cpu_ticks "$pid")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$1" "$(field rps "$line")" "$(field p50_us "$line")" \
      "$(field p99_us "$line")" "$(field requests "$line")" "$((c1 - c0))" "$(field socket_errors "$line")" \
      "$(field non2xx3xx "$line")" "$(mem_kib "$pid" VmRSS)" >> "$RUN/rounds.tsv"
    log "round $1 $(printf '%-34s' "$label") $(printf '%8.0f' "$(field rps "$line")") req/s  p99 $(( $(field p99_us "$line") / 1000 )).$(( $(field p99_us "$line") % 1000 / 100 )) ms  non-2xx $(field non2xx3xx "$line")"
    truncate_logs
  done
}

# ---------------------------------------------------------------- report
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v id="$1" -v c="$2" '$1 == id { print $c }' "$RUN/rounds.tsv"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×", a / b }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "") print "–"; else printf "%.2f", u / 1000 }'; }

declare -A MED_RPS MED_P50 MED_P99 MED_CPU PEAK_RSS BAD
summarise() {
  local row id label group url header tokens theader pid
  for row in "${ROWS[@]}"; do
    IFS='|' read -r id label group url header tokens theader <<< "$row"
    BAD[$id]=""
    [ "$group" = skip ] && continue
    MED_RPS[$id]="$(col "$id" 3 | median)"
    MED_P50[$id]="$(col "$id" 4 | median)"
    MED_P99[$id]="$(col "$id" 5 | median)"
    # requests per CPU-second of the measured process(es), per round, then the median
    MED_CPU[$id]="$(awk -F'\t' -v id="$id" -v hz="$(getconf CLK_TCK)" '$1 == id && $7 > 0 { printf "%.0f\n", $6 / ($7 / hz) }' "$RUN/rounds.tsv" | median)"
    BAD[$id]="$(awk -F'\t' -v id="$id" '$1 == id { s += $8; n += $9 } END { if (s + n > 0) printf "%d socket errors, %d non-2xx/3xx", s, n }' "$RUN/rounds.tsv")"
  done
}

write_report() {
  local f="$1" row id label group url header tokens pid rss
  local d_rps="${MED_RPS[direct]:-}" n_rps="${MED_RPS[nginx]:-}" h_rps="${MED_RPS[haproxy]:-}" n_p99="${MED_P99[nginx]:-}"
  {
    if [ "$mode" = smoke ]; then
      echo "# SMOKE RUN — checks that the harness works; these numbers are not a measurement"
    else
      echo "# Gatehouse benchmark — $mode run"
    fi
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`bench/run.sh\` mode \`$mode\`: $rounds interleaved rounds of ${duration} s per row," \
         "wrk -t$THREADS -c$CONNECTIONS, medians over rounds; JIT warm-up ${warmup} s per JVM row (Gatehouse, reference proxies) before round 1."
    echo
    echo "| Contender | req/s | p50 ms | p99 ms | RSS MiB | req per CPU-s | vs direct | vs nginx | vs HAProxy | p99 vs nginx |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for row in "${ROWS[@]}"; do
      IFS='|' read -r id label group url header tokens theader <<< "$row"
      if [ "$group" = skip ]; then echo "| $label | skipped | – | – | – | – | – | – | – | – |"; continue; fi
      rss="${PEAK_RSS[$group]}"
      printf '| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label${BAD[$id]:+ ⚠}" "${MED_RPS[$id]:-0}" \
        "$(ms "${MED_P50[$id]}")" "$(ms "${MED_P99[$id]}")" "$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')" \
        "${MED_CPU[$id]:-–}" "$(ratio "${MED_RPS[$id]}" "$d_rps")" "$(ratio "${MED_RPS[$id]}" "$n_rps")" \
        "$(ratio "${MED_RPS[$id]}" "$h_rps")" "$(ratio "${MED_P99[$id]}" "$n_p99")"
    done
    echo
    for row in "${ROWS[@]}"; do
      IFS='|' read -r id label group url header tokens theader <<< "$row"
      [ "$group" = skip ] && echo "- **$label**: $header"
      [ -n "${BAD[$id]}" ] && echo "- ⚠ **$label**: ${BAD[$id]} during the measured rounds; its figures are not valid."
    done
    echo "- **Gatehouse RS256, $TOKENS_WANTED distinct tokens (cache off)**: the tokens are cycled in order and carry their own" \
         "issuer, whose provider has \`cache: false\`: Gatehouse never caches them, so every request verifies an RS256 signature," \
         "as HAProxy does on every request. The one-token row shows the same route with the verified-token cache answering."
    echo "- **reference rows**: \`bench/tools/VertxMinimalProxy.java\` and \`bench/tools/NettyMinimalProxy.java\`, minimal proxies" \
         "(no auth, no logging, no limits) on the Vert.x and the Netty in Gatehouse's jar, on the same JVM and flags as Gatehouse." \
         "They are not part of Gatehouse: they separate the cost of the framework from the cost of Gatehouse's own work."
    echo "- RSS: peak resident set (VmHWM) of the measured process at the end of the run, summed over" \
         "master and workers for nginx; for Gatehouse one process serves every Gatehouse row, so the figure is the same."
    echo "- req per CPU-s: requests ÷ (utime+stime of the measured process over the round); for \"direct\" that is the backend nginx."
    echo "- Gatehouse start to ready (\`/ready\` answers 200), $STARTS starts before any other server was up, median (min–max):" \
         "$(printf '%s\n' "${STARTS_JVM_MS[@]}" | spread) from the launcher's exec of java;" \
         "$(printf '%s\n' "${STARTS_MS[@]}" | spread) from \`./gatehouse run\` (the launcher first probes the installed JDKs)." \
         "All with the launcher's start-up cache, as every start after the first of a build; the first (here the demo check" \
         "before measuring, ${DEMO_CHECK_MS:-?} ms in all) also made the cache. The measured gateway, started while the other" \
         "contenders were starting, was ready ${GH_JVM_READY_MS:-?} ms after the exec of java."
    local pair
    for pair in "gh-key-redis gh-key-local one key" "gh-keys-redis gh-keys-local $KEYS_WANTED keys"; do
      set -- $pair
      [ -n "${MED_RPS[$1]:-}" ] && [ -n "${MED_RPS[$2]:-}" ] && echo "- **Per-key limit on Redis against the local limiter, ${*:3}**:" \
        "req/s $(ratio "${MED_RPS[$1]}" "${MED_RPS[$2]}") of the local row, p99 $(ratio "${MED_P99[$1]}" "${MED_P99[$2]}")," \
        "req per CPU-s $(ratio "${MED_CPU[$1]}" "${MED_CPU[$2]}") (the Redis row's CPU is the second Gatehouse's; redis-server's own is not counted)." \
        "Decisions of the Redis gateway in the whole run, by who answered: ${REDIS_DECISIONS:-?}."
    done
    [ -n "${INTROSPECT_CALLS:-}" ] && echo "- Introspection stand-in answered ${INTROSPECT_CALLS} calls in the whole run (cache hits do not call it)."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    echo "- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r)"
    echo "- Load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every row)"
    echo "- Gatehouse: $(git -C "$GATEHOUSE_HOME" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$GATEHOUSE_HOME" status --porcelain --untracked-files=no -- gateway verifier pom.xml 2>/dev/null)" ] && echo ' (with uncommitted changes)'), JVM \`${GH_JAVA:-?}\`: $("${GH_JAVA:-java}" -version 2>&1 | head -n1), flags \`${GATEHOUSE_JAVA_OPTS:-launcher default}\`"
    echo "- Gatehouse's transport (\`runtime.transport\`, default auto): $(grep -m1 'gatehouse.Gatehouse transport: ' "$RUN/gatehouse-startup.log" 2>/dev/null | sed 's/.*gatehouse.Gatehouse transport: //' || true)"
    echo "- Reference proxies: same JVM, flags \`${REF_OPTS[*]}\`, $( [ "$REF_HOW" = compiled ] && echo "compiled ahead by that JDK's javac" || echo "run from source (the in-process compiler adds to their RSS)"); transport: $(sed -n 's/.*event loops, transport //p' "$RUN/VertxMinimalProxy.log" 2>/dev/null | head -n1) (Vert.x), $(sed -n 's/.*event loops, transport //p' "$RUN/NettyMinimalProxy.log" 2>/dev/null | head -n1) (Netty)"
    echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -n1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"
    echo
    echo "## Checks passed before measuring"
    echo
    echo '```'
    printf '%s' "$CHECK_LINES"
    echo '```'
    echo
    echo "## Rounds"
    echo
    echo "| Row | round | req/s | p50 ms | p99 ms | CPU s |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk -F'\t' -v hz="$(getconf CLK_TCK)" '{ printf "| %s | %s | %.0f | %.2f | %.2f | %.2f |\n", $1, $2, $3, $4 / 1000, $5 / 1000, $7 / hz }' "$RUN/rounds.tsv"
  } > "$f"
}

# ---------------------------------------------------------------- main
main() {
  ensure_tools
  rm -rf "$RUN"; mkdir -p "$RUN" "$BENCH_DIR/results"
  LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
  [ -x "$GATEHOUSE_HOME/gatehouse" ] || die "no launcher at $GATEHOUSE_HOME/gatehouse (set GATEHOUSE_HOME)"
  make_keys

  P_BACKEND=$(free_port); P_NGINX=$(free_port); P_HAPROXY=$(free_port)
  P_GATEHOUSE=$(free_port); P_ADMIN=$(free_port); P_INTROSPECT=$(free_port)
  P_VXREF=$(free_port); P_NTREF=$(free_port)

  log "building Gatehouse if needed ($GATEHOUSE_HOME)"
  gatehouse_cli --version >&2 || die "the gateway does not build or start"
  # The launcher makes its start-up cache (JDK 19+) once per build, on the first `run` or `demo`; a
  # demo check here makes it, so the start measured below is that of every later start.
  log "checking the demo (and making the launcher's start-up cache if this build has none)"
  local t_demo="${EPOCHREALTIME/./}"
  gatehouse_cli demo --check --port 0 --admin-port 0 >"$RUN/demo-check.log" 2>&1 \
    || die "gatehouse demo --check failed: $(tail -n 5 "$RUN/demo-check.log")"
  DEMO_CHECK_MS=$(( (${EPOCHREALTIME/./} - t_demo) / 1000 ))
  APIKEY_STATUS="$(probe_feature apikeys 1 0)"
  INTROSPECT_STATUS="$(probe_feature introspection 0 1)"
  [ -z "$APIKEY_STATUS" ] || log "API key row: $APIKEY_STATUS"
  [ -z "$INTROSPECT_STATUS" ] || log "introspection row: $INTROSPECT_STATUS"
  local conf="$RUN/gatehouse.yaml" apikeys=0 introspect=0
  [ -z "$APIKEY_STATUS" ] && apikeys=1
  [ -z "$INTROSPECT_STATUS" ] && introspect=1
  write_gatehouse_conf "$apikeys" "$introspect" "$conf"
  cp "$conf" "$WORK/gatehouse.yaml"
  gatehouse_cli validate --config "$conf" >&2 || die "the generated Gatehouse config does not validate"

  API_KEY=""
  if [ "$apikeys" = 1 ]; then
    local created
    if created="$(gatehouse_cli keys create --config "$conf" --owner bench --name bench --scopes bench --json 2>"$RUN/keys-create.err")" \
       && API_KEY="$(jq -er .key <<< "$created")"; then
      log "created an API key for the bench"
    else
      APIKEY_STATUS="skipped: 'gatehouse keys create' failed: $(head -n2 "$RUN/keys-create.err" | tr '\n' ' ')"
      log "API key row: $APIKEY_STATUS"
    fi
  fi

  log "start-up: Gatehouse started $STARTS times on a quiet machine"
  measure_starts "$conf"
  log "start to ready from the exec of java: $(printf '%s\n' "${STARTS_JVM_MS[@]}" | spread)"

  write_backend_conf; write_nginx_conf; write_haproxy_conf
  mkdir -p "$RUN/backend/tmp" "$RUN/nginx/tmp"
  : > "$RUN/nginx/access.log"; : > "$RUN/haproxy/haproxy.log"
  haproxy -c -q -f "$RUN/haproxy/haproxy.cfg" >&2 || die "HAProxy refuses the config (jwt_verify support?)"

  log "starting backend nginx :$P_BACKEND, nginx proxy :$P_NGINX, HAProxy :$P_HAPROXY"
  start_bg "$RUN/backend/stderr.log" nginx -p "$RUN/backend" -c "$RUN/backend/nginx.conf" -e "$RUN/backend/error.log"; P_BACKEND_PID="$LAST_PID"
  start_bg "$RUN/nginx/stderr.log" nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/error.log"; P_NGINX_PID="$LAST_PID"
  start_bg "$RUN/haproxy/haproxy.log" haproxy -db -f "$RUN/haproxy/haproxy.cfg"; P_HAPROXY_PID="$LAST_PID"
  if [ "$introspect" = 1 ]; then
    local exp; exp=$(( $(date +%s) + 86400 ))
    start_bg "$RUN/introspect.log" "$JAVA" "$BENCH_DIR/tools/IntrospectStub.java" "$P_INTROSPECT" "$KEYS/opaque.txt" bench-user "$exp"
    wait_http "http://127.0.0.1:$P_INTROSPECT/calls" 200 30 || die "the introspection stand-in did not start"
  fi
  wait_http "http://127.0.0.1:$P_BACKEND/" 200 10 || die "backend nginx did not start: $(tail -n 5 "$RUN/backend/error.log")"
  wait_http "http://127.0.0.1:$P_NGINX/" 200 10 || die "nginx proxy did not start: $(tail -n 5 "$RUN/nginx/error.log")"
  wait_http "http://127.0.0.1:$P_HAPROXY/" 401 10 || die "HAProxy did not start: $(tail -n 5 "$RUN/haproxy/haproxy.log")"

  log "starting Gatehouse :$P_GATEHOUSE (admin :$P_ADMIN)"
  start_gatehouse "$conf"
  P_GH_FIRST_PID="$P_GH_PID"
  log "Gatehouse ready in ${GH_READY_MS} ms from the launcher (${GH_JVM_READY_MS:-?} ms from the exec of java)"

  if [ -z "$APIKEY_STATUS" ] && { [ -z "$only" ] || [[ "$only" == *,gh-key* ]]; }; then
    # The per-key-limit rows: keys limited far above what a row sends, the same keys (one SQLite
    # store) on this Gatehouse (local buckets) and on a second one whose buckets are on Redis.
    log "making 1 + $KEYS_WANTED limited API keys through the admin API"
    local t_keys="${EPOCHREALTIME/./}"
    make_limited_keys 1 "$RUN/limited-key.txt"
    make_limited_keys "$KEYS_WANTED" "$RUN/limited-keys.txt"
    log "made them in $(( (${EPOCHREALTIME/./} - t_keys) / 1000000 )) s"
    P_GHR=$(free_port); P_GHR_ADMIN=$(free_port)
    sed -e "s/^  port: $P_GATEHOUSE\$/  port: $P_GHR/" -e "s/^  port: $P_ADMIN\$/  port: $P_GHR_ADMIN/" "$conf" > "$RUN/gatehouse-redis.yaml"
    write_gatehouse_conf "$apikeys" "$introspect" "$RUN/gatehouse-redis.yaml.tmp" redis
    sed -e "s/^  port: $P_GATEHOUSE\$/  port: $P_GHR/" -e "s/^  port: $P_ADMIN\$/  port: $P_GHR_ADMIN/" "$RUN/gatehouse-redis.yaml.tmp" > "$RUN/gatehouse-redis.yaml"
    rm -f "$RUN/gatehouse-redis.yaml.tmp"
    gatehouse_cli validate --config "$RUN/gatehouse-redis.yaml" >&2 || die "the Redis Gatehouse config does not validate"
    REDIS_USED=1
    log "starting the second Gatehouse :$P_GHR (admin :$P_GHR_ADMIN), rate limits on $BENCH_REDIS under $REDIS_PREFIX"
    start_gatehouse "$RUN/gatehouse-redis.yaml" "$RUN/gatehouse-redis.log" "$P_GHR_ADMIN"
    P_GHR_PID="$P_GH_PID"; P_GH_PID="$P_GH_FIRST_PID"
    LIMITED_KEY="$(cat "$RUN/limited-key.txt")"
    local gp
    for gp in "$P_GATEHOUSE" "$P_GHR"; do
      expect "gatehouse :$gp: a limited API key is accepted" 200 "http://127.0.0.1:$gp/key/bench" -H "X-API-Key: $LIMITED_KEY"
      curl -s -D - -o /dev/null -H "X-API-Key: $LIMITED_KEY" "http://127.0.0.1:$gp/key/bench" | grep -qi "^RateLimit-Limit: $KEY_LIMIT" \
        || die "gatehouse :$gp: no RateLimit-Limit $KEY_LIMIT on a limited key"
      expect "gatehouse :$gp: one of the $KEYS_WANTED keys is accepted" 200 "http://127.0.0.1:$gp/key/bench" -H "X-API-Key: $(tail -n1 "$RUN/limited-keys.txt")"
    done
    redis_decisions() { curl -s "http://127.0.0.1:$P_GHR_ADMIN/metrics" | awk '/^gatehouse_rate_limit_decisions_total\{.*backend="redis"/ { s += $2 } END { print s + 0 }'; }
    # Who decided, over the whole run: "redis N, local M, ..." and Redis's timeouts and errors.
    decisions_by_backend() {
      curl -s "http://127.0.0.1:$P_GHR_ADMIN/metrics" | awk '
        /^gatehouse_rate_limit_decisions_total\{/ { match($0, /backend="[a-z]*"/); b = substr($0, RSTART + 9, RLENGTH - 10); n[b] += $NF }
        /^gatehouse_rate_limit_redis_errors_total\{/ { e += $NF }
        END { out = ""; for (b in n) out = out b " " sprintf("%d", n[b]) ", "; printf "%sRedis timeouts and errors %d", out, e }'
    }
    [ "$(redis_decisions)" -gt 0 ] || die "the second Gatehouse did not decide on Redis: $(grep -m2 redis "$RUN/gatehouse-redis.log")"
  fi

  prepare_references
  log "starting the reference proxies on $GH_JAVA ($REF_HOW): minimal Vert.x :$P_VXREF, minimal Netty :$P_NTREF"
  start_reference VertxMinimalProxy "$P_VXREF"; P_VXREF_PID="$LAST_PID"
  start_reference NettyMinimalProxy "$P_NTREF"; P_NTREF_PID="$LAST_PID"

  log "checks before measuring:"
  run_checks

  local good; good="Authorization: Bearer $(cat "$KEYS/good.jwt")"
  add_row direct "direct to the backend" backend "http://127.0.0.1:$P_BACKEND/api/bench" ""
  add_row nginx "nginx plain proxy (no auth)" nginx "http://127.0.0.1:$P_NGINX/api/bench" ""
  add_row haproxy "HAProxy jwt_verify RS256" haproxy "http://127.0.0.1:$P_HAPROXY/api/bench" "$good"
  add_row vertx-ref "reference: minimal Vert.x proxy (no auth, no log)" vertx-ref "http://127.0.0.1:$P_VXREF/api/bench" ""
  add_row netty-ref "reference: minimal Netty proxy (no auth, no log)" netty-ref "http://127.0.0.1:$P_NTREF/api/bench" ""
  add_row gh-jwt "Gatehouse RS256, one token" gatehouse "http://127.0.0.1:$P_GATEHOUSE/api/bench" "$good"
  add_row gh-jwt-distinct "Gatehouse RS256, $TOKENS_WANTED distinct tokens (cache off)" gatehouse "http://127.0.0.1:$P_GATEHOUSE/api/bench" "" "$KEYS/distinct.txt"
  if [ -z "$APIKEY_STATUS" ]; then
    add_row gh-apikey "Gatehouse API key (cached)" gatehouse "http://127.0.0.1:$P_GATEHOUSE/key/bench" "X-API-Key: $API_KEY"
  else add_row gh-apikey "Gatehouse API key (cached)" skip "" "$APIKEY_STATUS"; fi
  if [ -z "$INTROSPECT_STATUS" ]; then
    add_row gh-introspect "Gatehouse introspected token (cached)" gatehouse "http://127.0.0.1:$P_GATEHOUSE/api/bench" "Authorization: Bearer $(cat "$KEYS/opaque.txt")"
  else add_row gh-introspect "Gatehouse introspected token (cached)" skip "" "$INTROSPECT_STATUS"; fi
  add_row gh-public "Gatehouse public route" gatehouse "http://127.0.0.1:$P_GATEHOUSE/pub/bench" ""
  if [ -n "${LIMITED_KEY:-}" ]; then
    add_row gh-key-local "Gatehouse API key, limited, local buckets" gatehouse "http://127.0.0.1:$P_GATEHOUSE/key/bench" "X-API-Key: $LIMITED_KEY"
    add_row gh-key-redis "Gatehouse API key, limited, buckets on Redis" gatehouse-redis "http://127.0.0.1:$P_GHR/key/bench" "X-API-Key: $LIMITED_KEY"
    add_row gh-keys-local "Gatehouse $KEYS_WANTED API keys, limited, local buckets" gatehouse "http://127.0.0.1:$P_GATEHOUSE/key/bench" "" "$RUN/limited-keys.txt" X-API-Key
    add_row gh-keys-redis "Gatehouse $KEYS_WANTED API keys, limited, buckets on Redis" gatehouse-redis "http://127.0.0.1:$P_GHR/key/bench" "" "$RUN/limited-keys.txt" X-API-Key
  fi

  log "warm-up: 2 s per contender, ${warmup} s per JVM row (Gatehouse and the reference proxies: JIT)"
  local row id label group url header tokens theader
  for row in "${ROWS[@]}"; do
    IFS='|' read -r id label group url header tokens theader <<< "$row"
    [ "$group" = skip ] && continue
    run_wrk "$(case "$group" in gatehouse|gatehouse-redis|vertx-ref|netty-ref) echo "$warmup" ;; *) echo 2 ;; esac)" "$url" "$header" "$tokens" "$theader"
    truncate_logs
  done

  : > "$RUN/rounds.tsv"
  local r
  for ((r=1; r<=rounds; r++)); do measure_round "$r"; done

  declare -gA PEAK_RSS
  PEAK_RSS[backend]="$(mem_kib "$P_BACKEND_PID" VmHWM)"; PEAK_RSS[nginx]="$(mem_kib "$P_NGINX_PID" VmHWM)"
  PEAK_RSS[haproxy]="$(mem_kib "$P_HAPROXY_PID" VmHWM)"; PEAK_RSS[gatehouse]="$(mem_kib "$P_GH_PID" VmHWM)"
  PEAK_RSS[vertx-ref]="$(mem_kib "$P_VXREF_PID" VmHWM)"; PEAK_RSS[netty-ref]="$(mem_kib "$P_NTREF_PID" VmHWM)"
  [ -n "${P_GHR_PID:-}" ] && { PEAK_RSS[gatehouse-redis]="$(mem_kib "$P_GHR_PID" VmHWM)"; REDIS_DECISIONS="$(decisions_by_backend)"; }
  [ "$introspect" = 1 ] && INTROSPECT_CALLS="$(curl -s --max-time 2 "http://127.0.0.1:$P_INTROSPECT/calls" || true)"

  summarise
  [ -n "$out" ] || out="$BENCH_DIR/results/$(date -u +%Y-%m-%d)-$mode.md"
  write_report "$out"
  log "stopping everything"
  stop_all
  log "wrote $out"
  cat "$out"
}

main
