#!/usr/bin/env bash
# build.sh runs mini's image builds as steps: independent steps in parallel
# under one job limit, one line per step on the terminal, everything else in
# a log file per step.
#
#   hack/build.sh TARGET...     targets: node-image lb-image registry-image
#                               images (all three), or any step by name
#
# Each step is one hack/ script (hack/steps lists them with what they need
# and how long they take cold on a 2-core machine). A step says whether it
# built or found its artifacts cached (lib.sh's built); its output goes to
# _output/logs/STEP.log. A failing step is named with its log file and the
# log's last lines, the other running steps are stopped, and build.sh exits
# non-zero. Ctrl-C stops every step; lib.sh's atomic outputs and late
# stamps mean nothing half-written is ever taken for done.
#
# Env: MINI_BUILD_JOBS (steps at once, default 2), MINI_BUILD_STEPS (another
# steps file, for tests), FORCE=1 (rebuild everything; Go's cache applies).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

steps_file=${MINI_BUILD_STEPS:-$MINI_ROOT/hack/steps}
jobs=${MINI_BUILD_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "MINI_BUILD_JOBS=$jobs: want a positive number"
LOGS=$OUT/logs
mkdir -p "$LOGS" "$STAMPS"

declare -A script needs cold
order=()
while read -r name deps secs file; do
  case $name in '' | '#'*) continue ;; esac
  order+=("$name")
  needs[$name]=${deps//,/ }
  [ "$deps" != - ] || needs[$name]=""
  cold[$name]=$secs
  script[$name]=$file
done <"$steps_file"
groups() {
  case $1 in
    images) echo "node-image lb-image registry-image" ;;
    *) echo "$1" ;;
  esac
}

# want: the steps the targets need, dependencies included.
declare -A want
add() {
  [ -n "${script[$1]:-}" ] || die "unknown target '$1' (targets: images ${order[*]})"
  [ -z "${want[$1]:-}" ] || return 0
  want[$1]=1
  local d
  for d in ${needs[$1]}; do add "$d"; done
}
(($#)) || set -- images
for t in "$@"; do for s in $(groups "$t"); do add "$s"; done; done

export MINI_BUILD_T0=$EPOCHREALTIME
now_us() { echo $((${EPOCHREALTIME/./} - ${MINI_BUILD_T0/./})); }
line() { step_line "$@" >&2; }

# expect STEP: what to tell the user about a long build: the last time this
# step built on this machine, else its cold time from the steps file.
expect() {
  local f=$STAMPS/$1.seconds
  if [ -f "$f" ]; then echo "last build here took $(clock $(($(<"$f") * 1000000)))"
  elif ((${cold[$1]} >= 20)); then echo "expect ~$(clock $((${cold[$1]} * 1000000))) cold"
  fi
}

declare -A pid started state
running=0
# The steps run in their own process groups (set -m), so stopping one stops
# everything it started, and the terminal's Ctrl-C reaches only this script.
set -m
stop_all() {
  local s
  for s in "${!pid[@]}"; do kill -TERM -- "-${pid[$s]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'echo >&2; line interrupted "stopping running steps"; stop_all; exit 130' INT TERM

start() {
  local s=$1 status=$LOGS/$1.status file=${script[$1]}
  [[ $file == /* ]] || file=$MINI_ROOT/$file
  rm -f "$status"
  started[$s]=$(now_us)
  # fd 3 is the terminal: lib.sh's built prints "building" there when the
  # step finds work to do.
  MINI_STEP=$s MINI_STEP_STATUS=$status MINI_STEP_EXPECT=$(expect "$s") \
    bash "$file" 3>&2 >"$LOGS/$s.log" 2>&1 &
  pid[$s]=$!
  state[$s]=running
  running=$((running + 1))
}

ready() {
  local d
  for d in ${needs[$1]}; do [ "${state[$d]:-}" = done ] || return 1; done
}

finish() {
  local s=$1 rc=$2 took=$(($(now_us) - ${started[$1]}))
  unset "pid[$s]"
  running=$((running - 1))
  if ((rc != 0)); then
    state[$s]=failed
    line "$s" "FAILED after $(clock $took) (exit $rc); log: ${LOGS#"$MINI_ROOT"/}/$s.log"
    tail -n 25 "$LOGS/$s.log" | sed 's/^/    | /' >&2
    stop_all
    exit 1
  fi
  state[$s]=done
  if [ -f "$LOGS/$s.status" ]; then
    echo $((took / 1000000)) >"$STAMPS/$s.seconds"
    line "$s" "built     $(clock $took)"
  else
    line "$s" "cached    $(clock $took)"
  fi
}

while :; do
  for s in "${order[@]}"; do
    ((running < jobs)) || break
    [ -n "${want[$s]:-}" ] && [ -z "${state[$s]:-}" ] && ready "$s" && start "$s"
  done
  ((running > 0)) || break
  rc=0
  wait -n -p done_pid "${pid[@]}" || rc=$?
  for s in "${!pid[@]}"; do
    if [ "${pid[$s]}" = "$done_pid" ]; then finish "$s" "$rc"; break; fi
  done
done
for s in "${!want[@]}"; do
  [ "${state[$s]:-}" = done ] || die "step $s never ran: its dependencies did not finish"
done
line done "in $(clock "$(now_us)") (logs: ${LOGS#"$MINI_ROOT"/}/)"
