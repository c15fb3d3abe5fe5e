#!/usr/bin/env bash
# Side-by-side benchmark of preflight against nginx, HAProxy and Caddy configured by hand as CORS
# reverse proxies with the same policy (issue 7), and against "netty", the floor of preflight's stack
# (bench/floor/NettyFloor.java: Netty's HTTP codec and one handler written for this one policy, nothing
# else). Everything runs on this machine, on 127.0.0.1 only:
#
#   wrk (CPU 1) ──▶ proxy under test (CPU 0) ──▶ backend: Debian's nginx, one worker (CPU 0)
#
# 1. Validates every config (bench/conf/*, ports filled in), measures startup time (launch to the first
#    proxied 200 from the backend, median of --startup-runs), then starts all targets side by side.
# 2. Checks with curl that every target answers the same CORS headers (allowed-origin preflight,
#    other-origin preflight, GET from the allowed origin, GET from another origin, GET without
#    Origin), and fails with a diff when one differs; the backend must never see a preflight.
# 3. Warms each target up, then drives them in interleaved rounds (nginx haproxy caddy netty preflight,
#    nginx haproxy caddy netty preflight, ...) with wrk for three workloads:
#      preflight   OPTIONS preflights from the allowed origin, 50 connections
#      get-origin  GET with Origin from the allowed origin, 50 connections (forwarded)
#      get-1conn   GET without Origin, 1 connection (forwarded; latency)
#    Around each run it reads the proxy's CPU time from /proc/PID/stat (all processes of the target).
# 4. Prints markdown: medians over rounds of requests/s, p50, p99, proxy CPU µs per request with
#    their ratios to nginx; each round against nginx's same round (the ratios' range, and the rounds
#    at nginx's rate and CPU or better); RSS idle / after load and startup time.
#
# Usage: bench/compare.sh [options]        (bench/compare.sh --help for the options)
#   A default run takes about 32 minutes: 5 rounds x 3 workloads x 5 targets x 10 s, plus warm-up
#   (5 x 3 x 60 s: the rounds measure the steady state of a sidecar that has run for a while, and a
#   JVM's JIT compilers on their one CPU keep working for 40 s of preflights and 80 s of forwarded
#   GETs, which they make 10-20 % dearer meanwhile) and startup measurements (5 per target on one
#   CPU, 5 on two).
#   bench/compare.sh --rounds 1 --duration 3 --warmup 1 --startup-runs 2   # a quick look (~1.5 min)
#   bench/compare.sh --profile          # JFR profile of preflight under load instead (~70 s)
#   bench/compare.sh --profile --profiler async   # the same with async-profiler (from Maven Central)
#   bench/compare.sh --profile --profiler async --profile-target netty   # the floor, the same way
#
# preflight's JVM flags: $PREFLIGHT_JAVA_OPTS, or by default the Dockerfile's ENTRYPOINT flags (with
# an AOT cache trained here unless --no-aot).
# Needs: nginx, haproxy, caddy, wrk, curl, taskset (util-linux), Java 21+ (default: Temurin 25 when
# installed), 2 or more cores. Every process it starts is stopped by PID on exit; its temp dir is
# removed unless --keep DIR copies it (bench/results/ is ignored by git).
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

# ---- options ---------------------------------------------------------------------------------------
default_jar="$root/target/preflight.jar"
jar="$default_jar"
java_bin="${JAVA:-}"
rounds=5
duration=10
warmup=60
startup_runs=5
targets_opt="nginx,haproxy,caddy,netty,preflight"
workloads_opt="preflight,get-origin,get-1conn"
base_port=18400
proxy_cpu=0
load_cpu=1
access_log=on
keep_dir=""
profile=false
profile_duration=20
profiler=jfr
profile_target=preflight
async_profiler_version=4.2
top_lines=30
default_java_opts="-XX:+UseSerialGC -Xms32m -Xmx64m -Xss256k -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow -XX:TrimNativeHeapInterval=1000"
aot=true
java_opts="${PREFLIGHT_JAVA_OPTS:-$default_java_opts}"

usage() {
    cat <<EOF
Usage: bench/compare.sh [options]

  --jar FILE             preflight's jar (default target/preflight.jar, built when missing)
  --java FILE            java 21+ to run it (default: \$JAVA, Temurin 25, \$JAVA_HOME, any 21+)
  --java-opts "FLAGS"    preflight's JVM flags (default: \$PREFLIGHT_JAVA_OPTS, else the Dockerfile's:
                         $default_java_opts)
  --no-aot               without the AOT cache the image ships (default: one is made for the jar by a
                         short training run against the backend, as the Dockerfile does, and used)
  --rounds N             interleaved measured rounds (default $rounds)
  --duration S           seconds per wrk run (default $duration)
  --warmup S             seconds of warm-up per target and workload before round 1 (default $warmup;
                         from 10 s on, its last 5 s on new connections: see warm_up)
  --startup-runs N       startups measured per target (default $startup_runs; 0 skips)
  --targets LIST         comma-separated, in round order (default $targets_opt)
  --workloads LIST       comma-separated (default $workloads_opt)
  --base-port P          ports P..P+5 on 127.0.0.1 (default $base_port)
  --proxy-cpu C          CPU for the backend and the proxy under test (default $proxy_cpu)
  --load-cpu C           CPU for wrk, curl and this script (default $load_cpu)
  --no-access-log        every target without its access log (default: all log one line per request)
  --keep DIR             copy raw results, configs and logs to DIR/<timestamp>/ (e.g. bench/results)
  --profile              instead of the comparison: JFR profile of preflight under the preflight
                         and get-origin loads; prints hot methods and allocations
  --profile-duration S   seconds recorded per load (default $profile_duration)
  --profiler jfr|async   with --profile: JFR (default: hot methods, allocations) or async-profiler
                         $async_profiler_version (fetched from Maven Central once: CPU samples with the kernel's
                         frames, in µs per request, and a flame graph with --keep)
  --profile-target T     with --profile: preflight (default) or netty, the floor, under the same loads
                         (to set the two profiles side by side)
  --top N                lines printed per JFR view (default $top_lines)
  -h, --help
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --jar) jar="$2"; shift 2 ;;
        --java) java_bin="$2"; shift 2 ;;
        --java-opts) java_opts="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --startup-runs) startup_runs="$2"; shift 2 ;;
        --targets) targets_opt="$2"; shift 2 ;;
        --workloads) workloads_opt="$2"; shift 2 ;;
        --base-port) base_port="$2"; shift 2 ;;
        --proxy-cpu) proxy_cpu="$2"; shift 2 ;;
        --load-cpu) load_cpu="$2"; shift 2 ;;
        --no-access-log) access_log=off; shift ;;
        --no-aot) aot=false; shift ;;
        --keep) keep_dir="$2"; shift 2 ;;
        --profile) profile=true; shift ;;
        --profile-duration) profile_duration="$2"; shift 2 ;;
        --profiler) profiler="$2"; shift 2 ;;
        --profile-target) profile_target="$2"; shift 2 ;;
        --top) top_lines="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '[bench %s] ERROR: %s\n' "$(date +%T)" "$*" >&2; exit 1; }

for n in "$rounds" "$duration" "$warmup" "$startup_runs" "$base_port" "$proxy_cpu" "$load_cpu" \
        "$profile_duration" "$top_lines"; do
    [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
[ "$duration" -ge 1 ] && [ "$rounds" -ge 1 ] || die "--rounds and --duration must be at least 1"
IFS=, read -r -a targets <<<"$targets_opt"
IFS=, read -r -a workloads <<<"$workloads_opt"
for t in "${targets[@]}"; do
    case "$t" in nginx|haproxy|caddy|preflight|netty) ;; *) die "unknown target $t" ;; esac
done
for w in "${workloads[@]}"; do
    case "$w" in preflight|get-origin|get-1conn) ;; *) die "unknown workload $w" ;; esac
done
case "$profiler" in jfr|async) ;; *) die "--profiler is jfr or async" ;; esac
case "$profile_target" in preflight|netty) ;; *) die "--profile-target is preflight or netty" ;; esac
if $profile; then
    targets=("$profile_target")
fi

# ---- the policy every target applies, and the requests that exercise it ------------------------------
# (the configs in bench/conf/ spell it out; the curl checks below catch any drift between them)
ORIGIN="https://app.example.com"
OTHER_ORIGIN="https://evil.example.net"
PATH_="/api/items"
# What a browser sends before a credentialed PUT with a JSON body and a bearer token.
ACRM="PUT"
ACRH="authorization,content-type,x-requested-with"

# ---- tools -------------------------------------------------------------------------------------------
for tool in curl wrk taskset timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
for t in backend "${targets[@]}"; do
    case "$t" in
        backend|nginx) command -v nginx >/dev/null || die "nginx is not installed" ;;
        haproxy) command -v haproxy >/dev/null || die "haproxy is not installed" ;;
        caddy) command -v caddy >/dev/null || die "caddy is not installed" ;;
    esac
done
[ "$(nproc --all)" -ge 2 ] || die "needs 2 cores (proxy and backend on one, wrk on the other)"
[ "$proxy_cpu" != "$load_cpu" ] || die "--proxy-cpu and --load-cpu must differ"
launch_cpus="$proxy_cpu" # where launch starts a target

java_major() { "$1" -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+)(\.[^"]*)?".*/\1/'; }
find_java() {
    local c major
    for c in ${JAVA:+"$JAVA"} /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ${JAVA_HOME:+"$JAVA_HOME/bin/java"} \
            /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        major="$(java_major "$c")"
        if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 21 ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}
if [[ " ${targets[*]} " == *" preflight "* || " ${targets[*]} " == *" netty "* ]]; then
    [ -n "$java_bin" ] || java_bin="$(find_java)" || die "needs Java 21 or newer (--java FILE)"
    [ -x "$java_bin" ] || die "not executable: $java_bin"
    if [ ! -f "$jar" ]; then
        [ "$jar" = "$default_jar" ] || die "no such jar: $jar"
        log "building $jar ..."
        (cd "$root" && timeout 900 ./mvnw -B -q package -Dmaven.test.skip=true) >&2
        [ -f "$jar" ] || die "the build made no $jar"
    fi
    jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
    if [ "$java_opts" = "$default_java_opts" ] && [ "$(java_major "$java_bin")" -lt 23 ]; then
        java_opts="${java_opts/ --sun-misc-unsafe-memory-access=allow/}" # an option Java 23 brought
    fi
    read -r -a java_flags <<<"$java_opts"
    java_base_flags=("${java_flags[@]}")
    if $profile && [ "$profiler" = async ]; then
        java_flags+=(-XX:+EnableDynamicAgentLoading) # async-profiler is loaded into the running JVM
        java_base_flags+=(-XX:+EnableDynamicAgentLoading)
    fi
fi

# This script, curl and wrk stay off the proxy's CPU; the targets are started with taskset on it.
taskset -cp "$load_cpu" $$ >/dev/null
clk_tck="$(getconf CLK_TCK)"

# ---- temp dir, and stopping everything we started ------------------------------------------------------
work="$(mktemp -d /tmp/preflight-bench.XXXXXX)"
chmod 755 "$work" # nginx workers run as nobody when we are root
declare -A pid_of=()
declare -a started=()

stop_pid() { # PID: TERM, up to 10 s, then KILL (and nginx's workers with it)
    local pid="$1" i children
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    children="$(pgrep -P "$pid" 2>/dev/null || true)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 1000; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        read -r -t 0.01 -u "$sleep_fd" || true
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" $children 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${started[@]}"; do
        stop_pid "$pid"
    done
    if [ -n "$keep_dir" ] && [ -d "$work" ]; then
        local dest
        dest="$keep_dir/$(date +%Y%m%d-%H%M%S)"
        mkdir -p "$dest" && cp -r "$work"/. "$dest"/ && log "raw results kept in $dest"
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A file descriptor that never has data: `read -t` on it sleeps without forking.
exec {sleep_fd}<> <(:)
sleep_ms() { read -r -t "$(printf '0.%03d' "$1")" -u "$sleep_fd" || true; }
now_us() { local t="$EPOCHREALTIME"; echo $((10#${t/./})); }

# ---- ports and configs ---------------------------------------------------------------------------
port_of() {
    case "$1" in
        backend) echo $((base_port)) ;;
        nginx) echo $((base_port + 1)) ;;
        haproxy) echo $((base_port + 2)) ;;
        caddy) echo $((base_port + 3)) ;;
        preflight) echo $((base_port + 4)) ;;
        admin) echo $((base_port + 5)) ;;
        netty) echo $((base_port + 6)) ;;
    esac
}
for p in backend nginx haproxy caddy preflight admin netty; do
    port="$(port_of "$p")"
    if { exec {probe_fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
        exec {probe_fd}>&-
        die "port $port on 127.0.0.1 is in use (--base-port)"
    fi
done

template_of() {
    case "$1" in
        backend) echo "$here/conf/backend.nginx.conf" ;;
        nginx) echo "$here/conf/nginx.conf" ;;
        haproxy) echo "$here/conf/haproxy.cfg" ;;
        caddy) echo "$here/conf/Caddyfile" ;;
        preflight) echo "$here/conf/preflight.conf" ;;
    esac
}

# The rendered config of TARGET. It sits in a directory of its own, away from the logs: preflight
# watches its config's directory for changes (hot reload), and log writes there would wake it.
conf_of() { echo "$work/$1/conf/$(basename "$(template_of "$1")")"; }

render() { # TARGET: fills in the template, into conf_of TARGET
    local t="$1" dir="$work/$1" template out drop
    template="$(template_of "$t")"
    out="$(conf_of "$t")"
    mkdir -p "$dir/conf"
    if [ "$access_log" = on ]; then drop="bench:access-log-off"; else drop="bench:access-log-on"; fi
    sed -e "/$drop/d" \
        -e "s|@WORK@|$dir|g" \
        -e "s|@PORT@|$(port_of "$t")|g" \
        -e "s|@BACKEND_PORT@|$(port_of backend)|g" \
        -e "s|@ADMIN_PORT@|$(port_of admin)|g" \
        "$template" >"$out"
    echo "$out"
}

validate() { # TARGET
    local t="$1" conf out
    [ "$t" != netty ] || return 0 # no config: bench/floor/NettyFloor.java has the policy in code
    conf="$(render "$t")"
    case "$t" in
        backend|nginx) out="$(timeout 20 nginx -t -p "$work/$t/" -e "$work/$t/error.log" -c "$conf" 2>&1)" ;;
        haproxy) out="$(timeout 20 haproxy -c -f "$conf" 2>&1)" ;;
        caddy) out="$(cd "$work/$t" && HOME="$work/$t" XDG_CONFIG_HOME="$work/$t" XDG_DATA_HOME="$work/$t" \
            timeout 20 caddy validate --adapter caddyfile --config "$conf" 2>&1)" ;;
        preflight) out="$(timeout 60 "$java_bin" -jar "$jar" check --config "$conf" 2>&1)" ;;
    esac || { printf '%s\n' "$out" >&2; die "$t: invalid config $conf"; }
}

# ---- starting, probing, measuring ------------------------------------------------------------------
launch() { # TARGET: starts it in the background on $launch_cpus (the proxy CPU); sets pid_of[TARGET]
    local t="$1" dir="$work/$1" conf
    conf="$(conf_of "$t")"
    case "$t" in
        backend|nginx)
            taskset -c "$launch_cpus" nginx -p "$dir/" -e "$dir/error.log" -c "$conf" \
                >>"$dir/stdout.log" 2>&1 &
            ;;
        haproxy)
            # -db: foreground, no master process; "log stdout" writes the access log to access.log.
            taskset -c "$launch_cpus" haproxy -db -f "$conf" >>"$dir/access.log" 2>>"$dir/stderr.log" &
            ;;
        caddy)
            HOME="$dir" XDG_CONFIG_HOME="$dir" XDG_DATA_HOME="$dir" \
                taskset -c "$launch_cpus" caddy run --adapter caddyfile --config "$conf" \
                >>"$dir/stdout.log" 2>>"$dir/stderr.log" &
            ;;
        preflight)
            # The environment overrides of the config are cleared so that the file alone decides.
            taskset -c "$launch_cpus" env -u PREFLIGHT_UPSTREAM_URL -u PREFLIGHT_PORT -u PREFLIGHT_ADMIN_PORT \
                -u PREFLIGHT_ADMIN_HOST -u PREFLIGHT_ALLOWED_ORIGINS -u PREFLIGHT_LOG_FORMAT -u PREFLIGHT_CONFIG \
                -u PREFLIGHT_LOG_LEVEL \
                "$java_bin" "${java_flags[@]}" -jar "$jar" run --config "$conf" \
                >>"$dir/stdout.log" 2>>"$dir/stderr.log" &
            ;;
        netty)
            # The floor of the stack: compiled by compile_floor, the same JVM flags with an AOT cache of
            # its own made the same way (train_aot), Netty's leak detector off and its pooled allocator
            # with 1 MiB chunks, as preflight's main sets them.
            taskset -c "$launch_cpus" "$java_bin" "${java_base_flags[@]}" "${floor_aot_flags[@]}" \
                -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.type=pooled \
                -Dio.netty.allocator.maxOrder=7 -Dio.netty.allocator.numHeapArenas=0 -cp "$jar:$work/netty/floor.jar" NettyFloor \
                "$(port_of netty)" "$(port_of backend)" >>"$dir/stdout.log" 2>>"$dir/stderr.log" &
            ;;
    esac
    pid_of[$t]=$!
    started+=("$!")
}

stop() { # TARGET
    local t="$1" pid="${pid_of[$1]:-}" kept=() p
    [ -n "$pid" ] || return 0
    stop_pid "$pid"
    for p in "${started[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
    started=("${kept[@]}")
    unset "pid_of[$t]"
}

pids() { # TARGET: the process and its children (nginx's master and worker)
    local pid="${pid_of[$1]}"
    echo "$pid" $(pgrep -P "$pid" 2>/dev/null || true)
}

# GET through the target over bash's /dev/tcp (no fork): true on a 200, which only the backend gives.
probe() {
    local port="$1" fd status=""
    { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    if ! printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$PATH_" "$port" >&"$fd" 2>/dev/null; then
        exec {fd}>&-
        return 1
    fi
    IFS= read -r -t 5 -u "$fd" status || true
    exec {fd}>&-
    [[ "$status" == "HTTP/1."?" 200"* ]]
}

wait_ready() { # TARGET [PORT]: polls every 2 ms, up to 60 s; dies if the process exits
    local t="$1" port="${2:-$(port_of "$1")}" deadline
    deadline=$(($(now_us) + 60000000))
    until probe "$port"; do
        if ! kill -0 "${pid_of[$t]}" 2>/dev/null; then
            tail -n 30 "$work/$t"/*.log >&2 2>/dev/null || true
            die "$t exited while starting"
        fi
        [ "$(now_us)" -lt "$deadline" ] || die "$t did not answer a proxied GET within 60 s"
        sleep_ms 2
    done
}

cpu_ticks() { # TARGET: "user system" CPU time of all its processes, in clock ticks
    local pid line rest user=0 system=0 f
    for pid in $(pids "$1"); do
        { IFS= read -r line </proc/"$pid"/stat; } 2>/dev/null || continue
        rest="${line##*) }"
        read -r -a f <<<"$rest"
        user=$((user + f[11]))
        system=$((system + f[12]))
    done
    echo "$user $system"
}

mem_kb() { # TARGET FIELD: FIELD (VmRSS from status, Pss from smaps_rollup) summed over its processes
    local pid total=0 v
    for pid in $(pids "$1"); do
        if [ "$2" = Pss ]; then
            v="$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || true)"
        else
            v="$(awk -v f="$2:" '$1 == f {print $2}' /proc/"$pid"/status 2>/dev/null || true)"
        fi
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# ---- wrk -------------------------------------------------------------------------------------------
# WORKLOAD TARGET SECONDS OUTFILE: one wrk run (1 thread, on the load CPU); prints its WRK_RESULT
# fields ("requests=... duration_us=... p50_us=... p99_us=... connect=... ...", from wrk.lua).
run_wrk() {
    local w="$1" t="$2" secs="$3" out="$4" conns method headers=()
    case "$w" in
        preflight)
            conns=50 method=OPTIONS
            headers=(-H "Origin: $ORIGIN" -H "Access-Control-Request-Method: $ACRM"
                -H "Access-Control-Request-Headers: $ACRH") ;;
        get-origin) conns=50 method=GET headers=(-H "Origin: $ORIGIN") ;;
        get-1conn) conns=1 method=GET ;;
    esac
    timeout -k 5 $((secs + 30)) taskset -c "$load_cpu" \
        wrk -t 1 -c "$conns" -d "${secs}s" --timeout 5s -s "$here/wrk.lua" "${headers[@]}" \
        "http://127.0.0.1:$(port_of "$t")$PATH_" -- "$method" >"$out" 2>&1 ||
        { cat "$out" >&2; die "wrk failed against $t ($w)"; }
    grep -q '^WRK_RESULT ' "$out" || { cat "$out" >&2; die "no result from wrk against $t ($w)"; }
    sed -n 's/^WRK_RESULT //p' "$out"
}

# The warm-up, in two runs of wrk: the second opens new connections. HotSpot's compiler has by then
# optimized for connections that never close; the first close and reconnect deoptimizes a few of
# Netty's read and write paths and recompiles them, about 0.7 s of C2 on the proxy's CPU (0.7 µs
# per preflight over a 10-second round, measured per thread). In production connections come and
# go all the time; here it would land in round 1 (or in a profile's first seconds) unless the
# warm-up takes it.
warm_up() { # WORKLOAD TARGET SECS OUT
    local w="$1" t="$2" secs="$3" out="$4"
    if [ "$secs" -ge 10 ]; then
        run_wrk "$w" "$t" $((secs - 5)) "$out" >/dev/null
        run_wrk "$w" "$t" 5 "$out" >/dev/null
    else
        run_wrk "$w" "$t" "$secs" "$out" >/dev/null
    fi
}

# The access logs grow by gigabytes over a full run: emptied after each run (preflight's stdout also
# carries its own log lines; warnings and errors are kept aside first).
trim_logs() { # TARGET
    local dir="$work/$1"
    if [ "$1" = preflight ] && [ -f "$dir/stdout.log" ]; then
        grep -aE '^[^ ]+ +(WARN|ERROR) ' "$dir/stdout.log" >>"$dir/warnings.log" || true
        : >"$dir/stdout.log"
    fi
    if [ -f "$dir/access.log" ]; then : >"$dir/access.log"; fi
}

kv() { # KEY "k=v k=v ...": the value
    local pair
    for pair in $2; do
        [ "${pair%%=*}" = "$1" ] && { echo "${pair#*=}"; return; }
    done
    echo 0
}

# ---- CORS checks -------------------------------------------------------------------------------------
# The CORS part of a response, normalised so that equivalent answers compare equal: the status,
# Access-Control-* and Vary headers (names lower-case; list values split, trimmed, sorted; header
# names in lists lower-case, methods as written), and whether the backend's X-Request-Id is there.
normalise() {
    tr -d '\r' | awk '
        NR == 1 { status = $2; next }
        /^[A-Za-z0-9-]+:/ {
            i = index($0, ":"); name = tolower(substr($0, 1, i - 1)); value = substr($0, i + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", value)
            if (name == "x-request-id") { lines[++n] = "x-request-id: (present)"; next }
            if (name != "vary" && name !~ /^access-control-/) next
            if (name ~ /^(vary|access-control-(allow|expose)-headers|access-control-allow-methods)$/) {
                if (name != "access-control-allow-methods") value = tolower(value)
                list[name] = (name in list) ? list[name] "," value : value
                next
            }
            lines[++n] = name ": " value
        }
        END {
            print "status " status
            for (name in list) {
                k = split(list[name], items, ",")
                delete seen; m = 0; out = ""
                for (j = 1; j <= k; j++) {
                    v = items[j]; gsub(/^[ \t]+|[ \t]+$/, "", v)
                    if (v != "" && !(v in seen)) { seen[v] = 1; sorted[++m] = v }
                }
                for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (sorted[b] < sorted[a]) { x = sorted[a]; sorted[a] = sorted[b]; sorted[b] = x }
                for (a = 1; a <= m; a++) out = out (a > 1 ? ", " : "") sorted[a]
                lines[++n] = name ": " out
            }
            for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (lines[b] < lines[a]) { x = lines[a]; lines[a] = lines[b]; lines[b] = x }
            for (a = 1; a <= n; a++) print lines[a]
        }'
}

expected() { # CASE: what the policy says (PRODUCT.md C1, C5-C8)
    case "$1" in
        preflight-allowed) cat <<EOF
status 204
access-control-allow-credentials: true
access-control-allow-headers: authorization, content-type, x-requested-with
access-control-allow-methods: DELETE, GET, POST, PUT
access-control-allow-origin: $ORIGIN
access-control-max-age: 600
vary: access-control-request-headers, access-control-request-method, origin
EOF
        ;;
        preflight-other-origin) cat <<EOF
status 403
vary: access-control-request-headers, access-control-request-method, origin
EOF
        ;;
        get-allowed) cat <<EOF
status 200
access-control-allow-credentials: true
access-control-allow-origin: $ORIGIN
access-control-expose-headers: x-request-id
vary: origin
x-request-id: (present)
EOF
        ;;
        get-other-origin|get-no-origin) cat <<EOF
status 200
vary: origin
x-request-id: (present)
EOF
        ;;
    esac
}

cors_request() { # CASE PORT: the raw response head
    local url="http://127.0.0.1:$2$PATH_"
    local pre=(-X OPTIONS -H "Access-Control-Request-Method: $ACRM" -H "Access-Control-Request-Headers: $ACRH")
    case "$1" in
        preflight-allowed) curl -sS -m 5 -o /dev/null -D - "${pre[@]}" -H "Origin: $ORIGIN" "$url" ;;
        preflight-other-origin) curl -sS -m 5 -o /dev/null -D - "${pre[@]}" -H "Origin: $OTHER_ORIGIN" "$url" ;;
        get-allowed) curl -sS -m 5 -o /dev/null -D - -H "Origin: $ORIGIN" "$url" ;;
        get-other-origin) curl -sS -m 5 -o /dev/null -D - -H "Origin: $OTHER_ORIGIN" "$url" ;;
        get-no-origin) curl -sS -m 5 -o /dev/null -D - "$url" ;;
    esac
}

preflights_seen() { # lines in the backend's log of forwarded preflights
    local f="$work/backend/preflights-seen.log"
    if [ -f "$f" ]; then wc -l <"$f" | tr -d ' '; else echo 0; fi
}

check_cors() {
    local failed=0 c t got want raw differ
    for c in preflight-allowed preflight-other-origin get-allowed get-other-origin get-no-origin; do
        want="$(expected "$c")"
        differ=""
        for t in "${targets[@]}"; do
            raw="$(cors_request "$c" "$(port_of "$t")" 2>&1)" || true
            got="$(normalise <<<"$raw")"
            if [ "$got" != "$want" ]; then
                failed=1
                differ="$differ $t"
                {
                    echo "== $t differs on $c (- expected, + $t):"
                    diff -u <(echo "$want") <(echo "$got") | tail -n +3 || true
                    echo "-- raw response head:"
                    printf '%s\n' "$raw" | tr -d '\r'
                } >&2
            fi
        done
        if [ -z "$differ" ]; then log "check $c: as expected on ${targets[*]}"; else log "check $c: DIFFERS on$differ"; fi
    done
    local seen
    seen="$(preflights_seen)"
    if [ "$seen" != 0 ]; then
        cat "$work/backend/preflights-seen.log" >&2
        failed=1
        echo "== the backend saw $seen preflight(s): a target forwarded them" >&2
    fi
    [ "$failed" = 0 ] || die "the targets do not answer the same CORS headers (see above)"
    log "check: all targets answer the same CORS headers; the backend saw no preflight"
}

# ---- reporting helpers -----------------------------------------------------------------------------
median() { # numbers on stdin -> median
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

ratio() { # VALUE BASE
    awk -v v="$1" -v b="$2" 'BEGIN { if (v == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×", v / b }'
}

fmt() { # NUMBER DECIMALS
    awk -v v="$1" -v d="$2" 'BEGIN { if (v == "") print "–"; else printf "%.*f", d, v }'
}

machine_info() {
    local cpu
    cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "- machine: ${cpu:-unknown CPU}, $(nproc --all) cores, $(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
    echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes numbers noisy; compare ratios within one run)"
    echo "- pinning: backend and proxy under test on CPU $proxy_cpu, wrk on CPU $load_cpu; wrk 1 thread"
    echo "- versions: $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v 2>/dev/null | head -1 | awk '{print "HAProxy " $3}'), Caddy $(caddy version 2>/dev/null | awk '{print $1}'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
    if [ -n "${java_bin:-}" ]; then
        local heap commit
        heap="$(taskset -c "$proxy_cpu" "$java_bin" "${java_flags[@]}" -XX:+PrintFlagsFinal -version 2>/dev/null |
            awk '$2 == "MaxHeapSize" {printf "%.0f MiB", $4/1048576}')"
        commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")"
        if [ -n "$(git -C "$root" status --porcelain -- src pom.xml 2>/dev/null)" ]; then commit="$commit+dirty"; fi
        echo "- preflight: $jar (checkout $commit), $("$java_bin" -version 2>&1 | head -1)"
        echo "- preflight JVM flags: \`$java_opts\` → max heap $heap"
    fi
    echo "- access logs: $access_log for every target"
}

# ---- profile mode ----------------------------------------------------------------------------------
# `jfr print` of jdk.CPUTimeSample or jdk.ExecutionSample events -> three small tables: samples per thread, self samples
# by the package of the top frame, and the dev.preflight methods by inclusive samples (a method
# counts once per sample, wherever it is on the stack).
sample_views() {
    awk -v top="$top_lines" '
        function pct(c) { return sprintf("%6.2f%%", 100 * c / (n ? n : 1)) }
        /^jdk\.(ExecutionSample|CPUTimeSample) / { n++; delete seen; first = 1; next }
        /^  (sampledThread|eventThread) = / { th = $0; sub(/^[^"]*"/, "", th); sub(/".*/, "", th); threads[th]++; next }
        /^    [A-Za-z_$]/ {
            m = $0; sub(/^ +/, "", m); sub(/ line: .*/, "", m)
            if (first) {
                cls = m; sub(/\(.*/, "", cls); sub(/\.[^.]*$/, "", cls)
                k = split(cls, parts, "."); pkg = parts[1]
                for (i = 2; i <= (k < 3 ? k : 3); i++) pkg = pkg "." parts[i]
                self[pkg]++; first = 0
            }
            if (m ~ /^dev\.preflight\./ && !(m in seen)) { seen[m] = 1; incl[m]++ }
        }
        END {
            printf "%d samples\n\n-- by thread\n", n
            for (t in threads) printf "%7d %s  %s\n", threads[t], pct(threads[t]), t | "sort -rn"
            close("sort -rn")
            print "\n-- self, by package of the top frame"
            for (p in self) printf "%7d %s  %s\n", self[p], pct(self[p]), p | "sort -rn | head -n " top
            close("sort -rn | head -n " top)
            print "\n-- dev.preflight methods, inclusive"
            for (m in incl) printf "%7d %s  %s\n", incl[m], pct(incl[m]), m | "sort -rn | head -n " top
            close("sort -rn | head -n " top)
        }' "$1"
}

profile_header() { # TOOL HOW: the profile report's title and setup lines
    echo "# $profile_target under $1 ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    machine_info
    echo "- per load: ${warmup} s warm-up, then ${profile_duration} s $2"
}

run_profile() {
    local jcmd jfr_tool w f out
    jcmd="$(dirname "$java_bin")/jcmd"
    jfr_tool="$(dirname "$java_bin")/jfr"
    [ -x "$jcmd" ] && [ -x "$jfr_tool" ] || die "jcmd and jfr must sit next to $java_bin (a JDK, not a JRE)"
    # Java 25's CPU-time sampler (JEP 509, Linux) samples a thread per slice of CPU it burns, in Java
    # code or in system calls alike; the classic execution sampler only sees threads caught in Java
    # code, a minority of an I/O-bound event loop's time.
    local cpu_sampling=() sample_event=jdk.ExecutionSample
    if [ "$(java_major "$java_bin")" -ge 25 ]; then
        cpu_sampling=(jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms)
        sample_event=jdk.CPUTimeSample
    fi
    local p="$profile_target"
    for t in backend "$p"; do validate "$t"; done
    launch backend
    wait_ready backend
    if [ "$p" = netty ]; then compile_floor; fi
    launch "$p"
    wait_ready "$p"
    check_cors
    if [ "$profiler" = async ]; then
        profile_async "$jcmd"
        return
    fi
    profile_header JFR "recorded with \`jcmd JFR.start settings=profile\`"
    for w in preflight get-origin; do
        [[ " ${workloads[*]} " == *" $w "* ]] || continue
        # An allocation sample weighs the bytes its thread allocated since its previous sample: the
        # first one of a recording would stand for the whole warm-up (often half the bytes or more).
        # A throwaway recording samples allocations during the warm-up, so that the measured one
        # starts with ordinary weights.
        timeout 30 "$jcmd" "${pid_of[$p]}" JFR.start name=warm settings=profile >/dev/null
        log "profile $w: ${warmup} s warm-up"
        [ "$warmup" = 0 ] || warm_up "$w" "$p" "$warmup" "$work/profile-$w-warmup.txt"
        trim_logs "$p"
        f="$work/profile-$w.jfr"
        timeout 30 "$jcmd" "${pid_of[$p]}" JFR.start name=bench settings=profile "${cpu_sampling[@]}" >/dev/null
        timeout 30 "$jcmd" "${pid_of[$p]}" JFR.stop name=warm >/dev/null
        log "profile $w: ${profile_duration} s recorded"
        out="$(run_wrk "$w" "$p" "$profile_duration" "$work/profile-$w.txt")"
        timeout 60 "$jcmd" "${pid_of[$p]}" JFR.stop name=bench filename="$f" >/dev/null
        trim_logs "$p"
        echo
        echo "## load: $w — $(awk -v r="$(kv requests "$out")" -v d="$(kv duration_us "$out")" 'BEGIN {printf "%.0f", r / (d / 1e6)}') req/s under JFR, p50 $(kv p50_us "$out") µs, p99 $(kv p99_us "$out") µs"
        local views=(hot-methods allocation-by-site allocation-by-class)
        if [ "$sample_event" = jdk.CPUTimeSample ]; then views=(cpu-time-hot-methods "${views[@]}"); fi
        for view in "${views[@]}"; do
            echo
            echo "### $view"
            echo '```'
            timeout 120 "$jfr_tool" view --width 160 "$view" "$f" 2>&1 | head -n "$top_lines" || true
            echo '```'
        done
        timeout 120 "$jfr_tool" print --events "$sample_event" --stack-depth 96 "$f" >"$work/samples-$w.txt" || true
        echo
        echo "### $sample_event: by thread; by package of the top frame (self); dev.preflight methods on the stack (inclusive)"
        echo '```'
        sample_views "$work/samples-$w.txt"
        echo '```'
        timeout 60 "$jfr_tool" summary "$f" |
            awk '$1 ~ /^jdk\.(CPUTimeSample|CPUTimeSamplesLost|ExecutionSample|NativeMethodSample|ObjectAllocationSample|GarbageCollection)$/ {printf "%s events: %s\n", $1, $2}'
        echo '```'
        timeout 60 "$jfr_tool" view --width 160 gc "$f" 2>&1 | head -n 12 || true
        echo '```'
        rm -f "$work/samples-$w.txt"
    done
    log "JFR files: $work/profile-*.jfr (kept only with --keep DIR)"
}

# async-profiler's library for this machine, fetched from Maven Central into target/ the first time.
async_profiler_lib() {
    local arch dir lib
    case "$(uname -m)" in
        x86_64) arch=linux-x64 ;;
        aarch64) arch=linux-arm64 ;;
        *) die "async-profiler has no build for $(uname -m)" ;;
    esac
    dir="$root/target/async-profiler-$async_profiler_version"
    lib="$dir/$arch/libasyncProfiler.so"
    if [ ! -f "$lib" ]; then
        log "fetching async-profiler $async_profiler_version ($arch) from Maven Central"
        (cd "$root" && timeout 300 ./mvnw -B -q dependency:copy \
            -Dartifact="tools.profiler:async-profiler:$async_profiler_version:jar:$arch" \
            -DoutputDirectory="$dir") >&2 || die "cannot fetch async-profiler"
        (cd "$dir" && "$(dirname "$java_bin")/jar" xf "async-profiler-$async_profiler_version-$arch.jar" \
            "$arch/libasyncProfiler.so") || die "cannot unpack async-profiler"
    fi
    echo "$lib"
}

# Collapsed stacks (async-profiler's "collapsed" output: frames root first, ";"-separated, then the
# sample count; the thread first, "threads" option) -> three small tables in µs of CPU per request (the samples scaled to the CPU time
# /proc measured over the same window): by thread; self, by group of the top frame (the kernel, the
# JVM's own C++ code, else the Java package); the target's own methods (dev.preflight's, or the floor's),
# inclusive.
collapsed_views() { # FILE CPU_US_PER_REQUEST TARGET
    local own='^dev/preflight/' own_name=dev.preflight
    if [ "$3" = netty ]; then own='^NettyFloor' own_name=NettyFloor; fi
    awk -v cpu="$2" -v top="$top_lines" -v own="$own" -v own_name="$own_name" '
        {
            n = $NF; total += n; stack = $0; sub(/ [0-9]+$/, "", stack)
            k = split(stack, fr, ";")
            # With "threads" the root frame is the thread: "[name tid=N]"; named here without its id.
            th = fr[1]; sub(/ tid=[0-9]+\]$/, "]", th)
            threads[th] += n
            leaf = fr[k]
            if (leaf ~ /_\[k\]$/) g = "(kernel)"
            else if (leaf ~ /::/ || leaf !~ /\//) g = "(JVM and native code)"
            else { m = split(leaf, parts, "/"); g = parts[1]; for (i = 2; i <= (m - 1 < 3 ? m - 1 : 3); i++) g = g "." parts[i] }
            self[g] += n
            delete seen
            for (i = 1; i <= k; i++) {
                f = fr[i]
                if (f ~ own && !(f in seen)) { seen[f] = 1; incl[f] += n }
            }
        }
        function us(c) { return sprintf("%8.2f", cpu * c / (total ? total : 1)) }
        END {
            printf "%d samples, %.1f µs of CPU per request\n\n-- µs per request, by thread\n", total, cpu
            for (t in threads) printf "%s  %s\n", us(threads[t]), t | "sort -rn | head -n 8"
            close("sort -rn | head -n 8")
            print "\n-- µs per request, self, by what the top frame is"
            for (g in self) printf "%s  %s\n", us(self[g]), g | "sort -rn | head -n " top
            close("sort -rn | head -n " top)
            print "\n-- µs per request, " own_name " methods, inclusive"
            for (m in incl) { name = m; gsub(/\//, ".", name); printf "%s  %s\n", us(incl[m]), name | "sort -rn | head -n " top }
            close("sort -rn | head -n " top)
        }' "$1"
}

# --profile --profiler async: async-profiler in the running proxy, started after the warm-up and
# stopped after the load, with the CPU time /proc counts over the same window.
profile_async() { # JCMD
    local jcmd="$1" p="$profile_target" lib w f out before after req cpu
    lib="$(async_profiler_lib)"
    profile_header async-profiler "sampled by async-profiler $async_profiler_version (\`event=cpu\`, every 500 µs of CPU, kernel frames included), loaded with \`jcmd JVMTI.agent_load\`"
    for w in preflight get-origin; do
        [[ " ${workloads[*]} " == *" $w "* ]] || continue
        log "profile $w: ${warmup} s warm-up"
        [ "$warmup" = 0 ] || warm_up "$w" "$p" "$warmup" "$work/profile-$w-warmup.txt"
        trim_logs "$p"
        f="$work/async-$w"
        # jcmd splits its arguments at "=" unless quoted inside: the options travel as one quoted string.
        timeout 30 "$jcmd" "${pid_of[$p]}" JVMTI.agent_load "$lib" '"start,event=cpu,interval=500us,threads"' \
            >"$f.start.txt" 2>&1 && grep -q 'return code: 0' "$f.start.txt" ||
            { cat "$f.start.txt" >&2; die "async-profiler did not start"; }
        log "profile $w: ${profile_duration} s sampled"
        before="$(cpu_ticks "$p")"
        out="$(run_wrk "$w" "$p" "$profile_duration" "$work/profile-$w.txt")"
        after="$(cpu_ticks "$p")"
        timeout 60 "$jcmd" "${pid_of[$p]}" JVMTI.agent_load "$lib" "\"dump,file=$f.collapsed,collapsed\"" >/dev/null
        timeout 60 "$jcmd" "${pid_of[$p]}" JVMTI.agent_load "$lib" "\"stop,file=$f.html\"" >/dev/null
        trim_logs "$p"
        req="$(kv requests "$out")"
        cpu="$(awk -v b="$before" -v a="$after" -v r="$req" -v hz="$clk_tck" 'BEGIN {
            split(b, x, " "); split(a, y, " "); printf "%.2f", (y[1] + y[2] - x[1] - x[2]) * 1e6 / hz / (r ? r : 1) }')"
        echo
        echo "## load: $w — $(awk -v r="$req" -v d="$(kv duration_us "$out")" 'BEGIN {printf "%.0f", r / (d / 1e6)}') req/s while sampled, p50 $(kv p50_us "$out") µs, p99 $(kv p99_us "$out") µs"
        echo '```'
        [ -s "$f.collapsed" ] || die "async-profiler wrote no samples to $f.collapsed"
        collapsed_views "$f.collapsed" "$cpu" "$p"
        echo '```'
    done
    log "flame graphs: $work/async-*.html, stacks: $work/async-*.collapsed (kept only with --keep DIR)"
}

# The floor, compiled once into $work/netty/floor.jar against the jar's Netty (the source launcher would
# compile it at every start and keep the Java compiler in its memory; an AOT cache takes jars only).
floor_aot_flags=()
compile_floor() {
    local bin
    bin="$(dirname "$java_bin")"
    [ -x "$bin/javac" ] && [ -x "$bin/jar" ] || die "the floor needs a JDK's javac and jar beside $java_bin"
    mkdir -p "$work/netty/classes"
    timeout 120 "$bin/javac" -nowarn -d "$work/netty/classes" -cp "$jar" "$here/floor/NettyFloor.java" >&2 ||
        die "bench/floor/NettyFloor.java does not compile against $jar"
    timeout 60 "$bin/jar" --create --file "$work/netty/floor.jar" -C "$work/netty/classes" . >&2 ||
        die "cannot make $work/netty/floor.jar"
}

# The image's AOT cache (Dockerfile), made the same way for the jar under test, and one for the floor
# (TARGET preflight or netty): a training run that serves both loads for 2 s each and writes the cache
# as it exits on SIGTERM; then every start of TARGET uses it. Needs the backend up.
train_aot() { # TARGET
    local t="$1" cache="$work/$1.aot" base=("${java_flags[@]}")
    if [ "$t" = netty ]; then
        floor_aot_flags=("-XX:AOTCacheOutput=$cache")
    else
        java_flags=("${base[@]}" "-XX:AOTCacheOutput=$cache")
    fi
    launch "$t"
    wait_ready "$t"
    run_wrk preflight "$t" 2 "$work/aot-training-$t-preflight.txt" >/dev/null
    run_wrk get-origin "$t" 2 "$work/aot-training-$t-get.txt" >/dev/null
    stop "$t"
    trim_logs "$t"
    [ -s "$cache" ] || die "the training run of $t wrote no AOT cache (needs Java 25)"
    if [ "$t" = netty ]; then
        floor_aot_flags=("-XX:AOTCache=$cache")
    else
        java_flags=("${base[@]}" "-XX:AOTCache=$cache")
        java_opts="$java_opts -XX:AOTCache=(trained here)"
    fi
    log "AOT cache of $t: $(du -h "$cache" | cut -f1), from 2 s of each load"
}

# Startup of TARGET on CPUS: the median of --startup-runs, in ms, into $startup_median.
startup() { # TARGET CPUS
    local t="$1" times=() t0 t1 i
    launch_cpus="$2"
    for ((i = 0; i < startup_runs; i++)); do
        t0="$(now_us)"
        launch "$t"
        wait_ready "$t"
        t1="$(now_us)"
        times+=("$(((t1 - t0) / 1000))")
        stop "$t"
        trim_logs "$t"
    done
    launch_cpus="$proxy_cpu"
    startup_median="$(printf '%s\n' "${times[@]}" | median)"
    log "startup $t on CPU $2: ${times[*]} ms (median $startup_median)"
}

# ---- the comparison ----------------------------------------------------------------------------------
run_compare() {
    local t w r i out ubefore sbefore uafter safter bubefore bsbefore buafter bsafter
    local results="$work/results.tsv"
    for t in backend "${targets[@]}"; do validate "$t"; done
    log "configs valid: backend ${targets[*]} (rendered in $work/*/conf/)"

    launch backend
    wait_ready backend
    if [[ " ${targets[*]} " == *" netty "* ]]; then
        compile_floor
    fi
    if [ "$aot" = true ]; then
        for t in preflight netty; do
            if [[ " ${targets[*]} " == *" $t "* ]]; then train_aot "$t"; fi
        done
    fi

    # Startup: from the launch to the first proxied 200, each target alone, median of N; once on the
    # proxy CPU (beside the backend, as under load) and once free to use both CPUs.
    declare -A startup_ms=() startup_all_ms=()
    if [ "$startup_runs" -gt 0 ]; then
        for t in "${targets[@]}"; do
            startup "$t" "$proxy_cpu"
            startup_ms[$t]="$startup_median"
            startup "$t" "$proxy_cpu,$load_cpu"
            startup_all_ms[$t]="$startup_median"
        done
    fi

    declare -A rss_idle=() rss_after=() pss_after=() hwm_after=()
    for t in "${targets[@]}"; do
        launch "$t"
        wait_ready "$t"
    done
    sleep 1
    for t in "${targets[@]}"; do rss_idle[$t]="$(mem_kb "$t" VmRSS)"; done
    log "started: $(for t in "${targets[@]}"; do printf '%s=%s ' "$t" "$(pids "$t" | tr ' ' ,)"; done)"

    check_cors

    if [ "$warmup" -gt 0 ]; then
        for t in "${targets[@]}"; do
            for w in "${workloads[@]}"; do
                log "warm-up $t $w (${warmup} s)"
                warm_up "$w" "$t" "$warmup" "$work/warmup-$t-$w.txt"
                trim_logs "$t"
            done
        done
    fi

    printf 'round\tworkload\ttarget\trequests\tduration_us\trps\tp50_us\tp99_us\tproxy_cpu_us_per_req\tbackend_cpu_us_per_req\tsocket_errors\tstatus_errors\tproxy_user_us_per_req\n' >"$results"
    for ((r = 1; r <= rounds; r++)); do
        for w in "${workloads[@]}"; do
            for t in "${targets[@]}"; do
                read -r ubefore sbefore <<<"$(cpu_ticks "$t")"
                read -r bubefore bsbefore <<<"$(cpu_ticks backend)"
                out="$(run_wrk "$w" "$t" "$duration" "$work/run-$r-$w-$t.txt")"
                sleep_ms 200 # let asynchronous work (access log writers) finish inside this run's account
                read -r uafter safter <<<"$(cpu_ticks "$t")"
                read -r buafter bsafter <<<"$(cpu_ticks backend)"
                trim_logs "$t"
                awk -v r="$r" -v w="$w" -v t="$t" -v req="$(kv requests "$out")" -v d="$(kv duration_us "$out")" \
                    -v p50="$(kv p50_us "$out")" -v p99="$(kv p99_us "$out")" -v tck="$clk_tck" \
                    -v cpu=$((uafter + safter - ubefore - sbefore)) -v user=$((uafter - ubefore)) \
                    -v bcpu=$((buafter + bsafter - bubefore - bsbefore)) \
                    -v serr=$(($(kv connect "$out") + $(kv read "$out") + $(kv write "$out") + $(kv timeout "$out"))) \
                    -v herr="$(kv status "$out")" \
                    'BEGIN { printf "%d\t%s\t%s\t%d\t%d\t%.0f\t%d\t%d\t%.2f\t%.2f\t%d\t%d\t%.2f\n", r, w, t, req, d, req / (d / 1e6), p50, p99,
                             req ? cpu * 1e6 / tck / req : 0, req ? bcpu * 1e6 / tck / req : 0, serr, herr,
                             req ? user * 1e6 / tck / req : 0 }' >>"$results"
                log "round $r/$rounds $w $t: $(tail -n 1 "$results" | awk -F'\t' '{printf "%s req/s, p50 %s µs, p99 %s µs, %s CPU µs/req", $6, $7, $8, $9}')"
            done
        done
    done

    for t in "${targets[@]}"; do
        rss_after[$t]="$(mem_kb "$t" VmRSS)"
        pss_after[$t]="$(mem_kb "$t" Pss)"
        hwm_after[$t]="$(mem_kb "$t" VmHWM)"
    done
    local seen
    seen="$(preflights_seen)"

    # ---- report ----
    local report="$work/report.md" col ref v
    {
        echo "# preflight vs nginx, HAProxy, Caddy: CORS reverse proxy on one core ($(date -u +%Y-%m-%dT%H:%MZ))"
        echo
        machine_info
        echo "- $rounds interleaved rounds × ${duration} s per workload and target, after ${warmup} s of warm-up each; medians over rounds"
        echo "- workloads: preflight = OPTIONS from the allowed origin (\`Access-Control-Request-Method: $ACRM\`, \`-Headers: $ACRH\`), 50 connections;"
        echo "  get-origin = GET with \`Origin: $ORIGIN\`, 50 connections, forwarded; get-1conn = GET without Origin, 1 connection, forwarded"
        echo "- CPU µs/req: the target's user+system CPU time (/proc/PID/stat, all its processes) over the run ÷ requests completed;"
        echo "  user µs/req: the user-space part of it (the rest is the kernel's: system calls, loopback TCP)"
        echo
        echo "| workload | target | req/s | ×nginx | p50 µs | ×nginx | p99 µs | ×nginx | CPU µs/req | ×nginx | user µs/req | ×nginx |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for w in "${workloads[@]}"; do
            declare -A med=()
            for t in "${targets[@]}"; do
                for col in 6 7 8 9 13; do
                    med[$t.$col]="$(awk -F'\t' -v w="$w" -v t="$t" -v c="$col" 'NR > 1 && $2 == w && $3 == t {print $c}' "$results" | median)"
                done
            done
            for t in "${targets[@]}"; do
                printf '| %s | %s |' "$w" "$t"
                for col in 6 7 8 9 13; do
                    v="${med[$t.$col]}"
                    ref="${med[nginx.$col]:-}"
                    printf ' %s | %s |' "$(fmt "$v" "$([ "$col" -ge 9 ] && echo 1 || echo 0)")" "$(ratio "$v" "$ref")"
                done
                echo
            done
            unset med
        done
        echo
        echo "Each round against nginx's same round (lowest-highest over the rounds; this VM's speed drifts between"
        echo "rounds, which the medians above mix): requests/s, CPU per request and p99 as multiples of nginx's, and"
        echo "the rounds with at least nginx's requests/s at no more than its CPU per request."
        echo
        echo "| workload | target | req/s ×nginx | CPU µs/req ×nginx | p99 ×nginx | rounds at nginx's rate and CPU or better |"
        echo "|---|---|---:|---:|---:|---:|"
        awk -F'\t' -v workloads="${workloads[*]}" -v targets="${targets[*]}" '
            NR > 1 { rps[$1, $2, $3] = $6; p99[$1, $2, $3] = $8; cpu[$1, $2, $3] = $9; round[$1] = 1 }
            END {
                nw = split(workloads, ws, " "); nt = split(targets, ts, " ")
                for (i = 1; i <= nw; i++) for (j = 1; j <= nt; j++) {
                    w = ws[i]; t = ts[j]
                    if (t == "nginx") continue
                    n = 0; better = 0
                    for (r in round) {
                        if (!((r, w, t) in rps) || !((r, w, "nginx") in rps)) continue
                        if (rps[r, w, "nginx"] <= 0 || cpu[r, w, "nginx"] <= 0 || p99[r, w, "nginx"] <= 0) continue
                        a = rps[r, w, t] / rps[r, w, "nginx"]
                        c = cpu[r, w, t] / cpu[r, w, "nginx"]
                        p = p99[r, w, t] / p99[r, w, "nginx"]
                        if (n == 0 || a < a0) a0 = a; if (n == 0 || a > a1) a1 = a
                        if (n == 0 || c < c0) c0 = c; if (n == 0 || c > c1) c1 = c
                        if (n == 0 || p < p0) p0 = p; if (n == 0 || p > p1) p1 = p
                        if (a >= 1 && c <= 1) better++
                        n++
                    }
                    if (n) printf "| %s | %s | %.2f-%.2f | %.2f-%.2f | %.2f-%.2f | %d of %d |\n", w, t, a0, a1, c0, c1, p0, p1, better, n
                }
            }' "$results"
        echo
        echo "| target | RSS idle MiB | RSS after load MiB | ×nginx | peak RSS MiB | PSS after load MiB | startup ms, 1 CPU | ×nginx | startup ms, 2 CPUs | ×nginx |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for t in "${targets[@]}"; do
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" \
                "$(fmt "$(awk -v k="${rss_idle[$t]}" 'BEGIN {print k / 1024}')" 1)" \
                "$(fmt "$(awk -v k="${rss_after[$t]}" 'BEGIN {print k / 1024}')" 1)" \
                "$(ratio "${rss_after[$t]}" "${rss_after[nginx]:-}")" \
                "$(fmt "$(awk -v k="${hwm_after[$t]}" 'BEGIN {print k / 1024}')" 1)" \
                "$(fmt "$(awk -v k="${pss_after[$t]}" 'BEGIN {print k / 1024}')" 1)" \
                "$(fmt "${startup_ms[$t]:-}" 0)" "$(ratio "${startup_ms[$t]:-}" "${startup_ms[nginx]:-}")" \
                "$(fmt "${startup_all_ms[$t]:-}" 0)" "$(ratio "${startup_all_ms[$t]:-}" "${startup_all_ms[nginx]:-}")"
        done
        echo
        echo "RSS and PSS are summed over the target's processes (nginx: master + worker; RSS counts their shared pages twice, PSS once)."
        echo "Startup: from launching the process to the first 200 proxied from the backend, polled every 2 ms; median of $startup_runs, pinned to CPU $proxy_cpu (beside the backend) and then free on CPUs $proxy_cpu,$load_cpu."
        local errs
        errs="$(awk -F'\t' 'NR > 1 && ($11 > 0 || $12 > 0) {printf "%s round %s %s: %s socket errors, %s responses >= 400; ", $3, $1, $2, $11, $12}' "$results")"
        echo
        if [ -n "$errs" ]; then echo "**wrk errors:** $errs"; else echo "wrk: no socket errors, no status >= 400 in any run."; fi
        echo "Backend: $seen preflight(s) reached it over the whole run (must be 0)."
        if [ -s "$work/preflight/warnings.log" ]; then
            echo "preflight logged $(wc -l <"$work/preflight/warnings.log") warning/error line(s), e.g.: \`$(head -n 1 "$work/preflight/warnings.log")\`"
        fi
    } >"$report"
    cat "$report"
    [ "$seen" = 0 ] || die "the backend saw $seen preflight(s)"
}

if $profile; then
    run_profile
else
    run_compare
fi
