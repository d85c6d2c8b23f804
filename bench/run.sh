#!/usr/bin/env bash
# Times pscope against procps ps and psmisc pstree on the same work, with
# N extra sleeping processes arranged as a tree, and prints medians, ratios
# and peak memory. Every spawned process is in one process group, killed at
# the end (also on Ctrl-C).
#
#   bench/run.sh                 # N = 1000 and 5000
#   bench/run.sh 1000 5000 20000 # any sizes (pid_max permitting)
#
# Needs: hyperfine, GNU time (/usr/bin/time), ps, pstree; procs if present.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
runs=${RUNS:-15}
out_dir=bench/results
mkdir -p "$out_dir"

for tool in hyperfine ps pstree /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install hyperfine procps psmisc time)" >&2; exit 2; }
done

cargo build --release --quiet --bin pscope --example floor
pscope=$PWD/target/release/pscope
floor=$PWD/target/release/examples/floor

group=""
cleanup() {
  if [ -n "$group" ]; then
    kill -KILL -- "-$group" 2>/dev/null || true
    group=""
  fi
}
trap cleanup EXIT INT TERM

# Spawns N sleeping processes: N/50 shells with 50 sleeps each, all in a new
# session and process group led by the spawner.
spawn_tree() {
  local n=$1 per=50
  local shells=$(( (n + per - 1) / per ))
  setsid bash -c '
    shells=$1; per=$2
    for ((s = 0; s < shells; s++)); do
      bash -c "for ((i = 0; i < $per; i++)); do sleep 3600 & done; wait" &
    done
    wait' spawner "$shells" "$per" </dev/null >/dev/null 2>&1 &
  group=$!
  local want=$(( n + shells ))
  for _ in $(seq 1 600); do
    local have
    have=$(ps -o pid= -g "$group" 2>/dev/null | wc -l)
    [ "$have" -ge "$want" ] && return 0
    sleep 0.1
  done
  echo "could not spawn $n processes" >&2
  exit 1
}

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

median_ms() { # hyperfine JSON -> median in ms, per command, in order
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.1f" % (r["median"] * 1000))' "$1"
}

declare -a names=(
  "floor: read every stat (1 thread)"
  "floor: read every stat and status"
  "ps -e -o pid,ppid,pgid,sid,ni,pri,comm"
  "pscope -o pid,ppid,pgid,sid,ni,pri,comm"
  "ps -e -o pid,ppid,stat,ni,comm"
  "pscope -o pid,ppid,stat,ni,comm"
  "pscope --jobs 1 -o pid,ppid,stat,ni,comm"
  "ps aux"
  "pscope (default listing)"
  "pstree -p"
  "pscope tree -p"
)
declare -a cmds=(
  "$floor"
  "$floor status"
  "ps -e -o pid,ppid,pgid,sid,ni,pri,comm"
  "$pscope -o pid,ppid,pgid,sid,ni,pri,comm"
  "ps -e -o pid,ppid,stat,ni,comm"
  "$pscope -o pid,ppid,stat,ni,comm"
  "$pscope --jobs 1 -o pid,ppid,stat,ni,comm"
  "ps aux"
  "$pscope"
  "pstree -p"
  "$pscope tree -p"
)
if command -v procs >/dev/null; then
  names+=("procs --pager disable")
  cmds+=("procs --pager disable")
fi

for n in "${sizes[@]}"; do
  spawn_tree "$n"
  total=$(ls -d /proc/[0-9]* | wc -l)
  echo "== $n extra processes ($total in all), $runs runs each =="
  json="$out_dir/hyperfine-$n.json"
  hyperfine --style none --warmup 3 --runs "$runs" --export-json "$json" \
    --output=pipe "${cmds[@]}" >/dev/null
  mapfile -t medians < <(median_ms "$json")
  printf '%-44s %10s %12s\n' command "median ms" "peak RSS kB"
  for i in "${!cmds[@]}"; do
    # shellcheck disable=SC2086
    printf '%-44s %10s %12s\n' "${names[$i]}" "${medians[$i]}" "$(peak_kb ${cmds[$i]})"
  done
  ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }
  echo "ratios (ps or pstree time / pscope time):"
  echo "  stat-only columns:          $(ratio "${medians[2]}" "${medians[3]}")  (pscope / stat floor: $(ratio "${medians[3]}" "${medians[0]}"))"
  echo "  exact STAT:                 $(ratio "${medians[4]}" "${medians[5]}")  (pscope / stat+status floor: $(ratio "${medians[5]}" "${medians[1]}"))"
  echo "  exact STAT, one thread:     $(ratio "${medians[4]}" "${medians[6]}")  (pscope / stat+status floor: $(ratio "${medians[6]}" "${medians[1]}"))"
  echo "  ps aux listing:             $(ratio "${medians[7]}" "${medians[8]}")"
  echo "  tree -p:                    $(ratio "${medians[9]}" "${medians[10]}")"
  cleanup
  sleep 1
done
