#!/usr/bin/env bash
# Two builds of preflight under the same load at the same moment, to measure a change smaller than
# this VM's drift (issue 7). bench/compare.sh runs its targets one after another, so a round of one
# and the round of the next can differ by 20-30 % with the machine alone; here both JVMs run on the
# proxy CPU beside one backend, each driven by its own wrk on the load CPU for the same seconds, so
# whatever the machine does between rounds it does to both:
#
#   wrk A (CPU 1) ──▶ preflight A (CPU 0) ──┐
#                                           ├─▶ backend: Debian's nginx, one worker (CPU 0)
#   wrk B (CPU 1) ──▶ preflight B (CPU 0) ──┘
#
# Per round it reads each JVM's CPU time from /proc/PID/stat and prints CPU µs per request (all and
# user) and requests/s of both, and B - A; at the end the median and range of B - A over the rounds.
# Running the same jar as A and B shows the method's own noise (about ±0.05 µs per forwarded GET
# once both JITs have settled; the first rounds after the warm-up can still differ by several µs when
# one JVM recompiles, hence the median).
# The two places can differ by themselves (0.5 µs per forwarded GET in one pair of runs, nothing
# in another): run it again with the jars swapped, and take half the difference of the two medians.
#
# Usage: bench/side-by-side.sh [options] JAR_A JAR_B
#   --workload preflight|get-origin   (default get-origin)
#   --rounds N        measured rounds (default 8)
#   --duration S      seconds per round (default 8)
#   --warmup S        seconds of the same load before round 1 (default 60: the JIT settles slowly
#                     with two JVMs on one CPU)
#   --connections N   wrk connections per target (default 25: 50 in all, as in compare.sh)
#   --java FILE       java 21+ (default: Temurin 25 when installed, else $JAVA_HOME or java)
#   --java-opts "F"   JVM flags of both (default: the Dockerfile's, without the AOT cache)
#   --base-port P     ports P..P+4 on 127.0.0.1 (default 18500)
# Needs: nginx, wrk, curl, taskset, 2 or more cores. Every process it starts is stopped by PID.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workload=get-origin
rounds=8
duration=8
warmup=60
connections=25
java_bin="${JAVA:-}"
java_opts="-XX:+UseSerialGC -Xms32m -Xmx64m -Xss256k -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow -XX:TrimNativeHeapInterval=1000"
base_port=18500
proxy_cpu=0
load_cpu=1

die() { printf '[side-by-side %s] ERROR: %s\n' "$(date +%T)" "$*" >&2; exit 1; }
log() { printf '[side-by-side %s] %s\n' "$(date +%T)" "$*" >&2; }

jars=()
while [ $# -gt 0 ]; do
    case "$1" in
        --workload) workload="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --java) java_bin="$2"; shift 2 ;;
        --java-opts) java_opts="$2"; shift 2 ;;
        --base-port) base_port="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) jars+=("$1"); shift ;;
    esac
done
[ "${#jars[@]}" = 2 ] || die "two jars, A and B (see --help)"
for j in "${jars[@]}"; do [ -f "$j" ] || die "no such jar: $j"; done
case "$workload" in preflight|get-origin) ;; *) die "--workload is preflight or get-origin" ;; esac
for n in "$rounds" "$duration" "$warmup" "$connections" "$base_port"; do
    [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
[ "$rounds" -ge 1 ] && [ "$duration" -ge 1 ] && [ "$connections" -ge 1 ] || die "--rounds, --duration and --connections must be at least 1"
for tool in nginx wrk curl taskset timeout bc; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ "$(nproc --all)" -ge 2 ] || die "needs 2 cores"
if [ -z "$java_bin" ]; then
    for c in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)"; do
        if [ -n "$c" ] && [ -x "$c" ]; then java_bin="$c"; break; fi
    done
fi
[ -x "$java_bin" ] || die "needs Java 21 or newer (--java FILE)"
read -r -a java_flags <<<"$java_opts"

port_backend=$base_port
declare -A port=([a]=$((base_port + 1)) [b]=$((base_port + 3)))
declare -A admin=([a]=$((base_port + 2)) [b]=$((base_port + 4)))
for p in "$port_backend" "${port[a]}" "${admin[a]}" "${port[b]}" "${admin[b]}"; do
    if { exec {probe}<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
        exec {probe}>&-
        die "port $p on 127.0.0.1 is in use (--base-port)"
    fi
done

taskset -cp "$load_cpu" $$ >/dev/null
work="$(mktemp -d /tmp/preflight-side-by-side.XXXXXX)"
chmod 755 "$work" # nginx's worker runs as nobody when we are root
started=()
cleanup() {
    local pid
    trap - EXIT INT TERM
    for pid in "${started[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${started[@]}"; do
        timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/backend" "$work/a/conf" "$work/b/conf"
chmod 755 "$work/backend"
sed -e "s|@WORK@|$work/backend|g" -e "s|@PORT@|$port_backend|g" "$here/conf/backend.nginx.conf" >"$work/backend/nginx.conf"
for x in a b; do
    # The config in a directory of its own: preflight watches it, and its log is written elsewhere.
    sed -e "s|@PORT@|${port[$x]}|; s|@ADMIN_PORT@|${admin[$x]}|; s|@BACKEND_PORT@|$port_backend|" \
        "$here/conf/preflight.conf" | grep -v 'bench:access-log-off' >"$work/$x/conf/preflight.conf"
done
taskset -c "$proxy_cpu" nginx -p "$work/backend/" -e "$work/backend/error.log" -c "$work/backend/nginx.conf" \
    >"$work/backend/stdout.log" 2>&1 &
started+=("$!")
declare -A pid
for x in a b; do
    jar="${jars[0]}"; [ "$x" = b ] && jar="${jars[1]}"
    taskset -c "$proxy_cpu" env -u PREFLIGHT_UPSTREAM_URL -u PREFLIGHT_PORT -u PREFLIGHT_ADMIN_PORT \
        -u PREFLIGHT_ADMIN_HOST -u PREFLIGHT_ALLOWED_ORIGINS -u PREFLIGHT_LOG_FORMAT -u PREFLIGHT_CONFIG \
        -u PREFLIGHT_LOG_LEVEL "$java_bin" "${java_flags[@]}" -jar "$jar" run --config "$work/$x/conf/preflight.conf" \
        >"$work/$x/stdout.log" 2>"$work/$x/stderr.log" &
    pid[$x]=$!
    started+=("$!")
done
for ((i = 0; i < 300; i++)); do
    if curl -sf -o /dev/null "http://127.0.0.1:${port[a]}/api/items" &&
        curl -sf -o /dev/null "http://127.0.0.1:${port[b]}/api/items"; then
        break
    fi
    for x in a b; do kill -0 "${pid[$x]}" 2>/dev/null || { cat "$work/$x/stderr.log" >&2; die "preflight $x exited"; }; done
    sleep 0.1
done
[ "$i" -lt 300 ] || die "the proxies did not answer within 30 s"

run_wrk() { # X SECONDS OUT: one wrk run against target X
    local headers=() method=GET
    case "$workload" in
        preflight)
            method=OPTIONS
            headers=(-H "Origin: https://app.example.com" -H "Access-Control-Request-Method: PUT"
                -H "Access-Control-Request-Headers: authorization,content-type,x-requested-with") ;;
        get-origin) headers=(-H "Origin: https://app.example.com") ;;
    esac
    timeout -k 5 $(($2 + 30)) taskset -c "$load_cpu" wrk -t 1 -c "$connections" -d "${2}s" --timeout 5s \
        -s "$here/wrk.lua" "${headers[@]}" "http://127.0.0.1:${port[$1]}/api/items" -- "$method" >"$3" 2>&1
}
both() { # SECONDS: both loads at once
    local w
    run_wrk a "$1" "$work/a/wrk.txt" &
    w=$!
    run_wrk b "$1" "$work/b/wrk.txt" || die "wrk failed against b: $(cat "$work/b/wrk.txt")"
    wait "$w" || die "wrk failed against a: $(cat "$work/a/wrk.txt")"
    : >"$work/a/stdout.log"
    : >"$work/b/stdout.log" # the access logs
}
kv() { sed -n 's/^WRK_RESULT //p' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ticks() { awk '{print $14 + $15, $14}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"

log "A: ${jars[0]}; B: ${jars[1]}; $workload, $connections connections each, ${warmup} s warm-up"
# The warm-up's last 5 s on new connections: the first reconnect after a long run recompiles part of
# Netty's paths (see warm_up in compare.sh), which would otherwise land in round 1.
if [ "$warmup" -ge 10 ]; then
    both $((warmup - 5))
    both 5
elif [ "$warmup" -gt 0 ]; then
    both "$warmup"
fi
echo "| round | A CPU µs/req | A user | A req/s | B CPU µs/req | B user | B req/s | B - A CPU µs/req |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
diffs=()
for ((r = 1; r <= rounds; r++)); do
    declare -A t0 u0 t1 u1 q
    for x in a b; do read -r t0[$x] u0[$x] < <(ticks "${pid[$x]}"); done
    both "$duration"
    for x in a b; do
        read -r t1[$x] u1[$x] < <(ticks "${pid[$x]}")
        q[$x]="$(kv requests "$work/$x/wrk.txt")"
        [ -n "${q[$x]}" ] && [ "${q[$x]}" -gt 0 ] || die "no requests counted for $x: $(cat "$work/$x/wrk.txt")"
    done
    row="$(bc -l <<<"
        a = (${t1[a]} - ${t0[a]}) * 1000000 / $hz / ${q[a]}; au = (${u1[a]} - ${u0[a]}) * 1000000 / $hz / ${q[a]}
        b = (${t1[b]} - ${t0[b]}) * 1000000 / $hz / ${q[b]}; bu = (${u1[b]} - ${u0[b]}) * 1000000 / $hz / ${q[b]}
        a; au; ${q[a]} / $duration; b; bu; ${q[b]} / $duration; b - a")"
    read -r -d '' ca ua ra cb ub rb d <<<"$row" || true
    diffs+=("$d")
    printf '| %d | %.2f | %.2f | %.0f | %.2f | %.2f | %.0f | %+.2f |\n' "$r" "$ca" "$ua" "$ra" "$cb" "$ub" "$rb" "$d"
done
printf '%s\n' "${diffs[@]}" | sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "\nB - A, CPU µs per request: median %+.2f, range %+.2f to %+.2f over %d rounds\n", m, v[1], v[NR], NR }'
