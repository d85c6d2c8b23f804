#!/usr/bin/env bash
# Times pscope against procps ps and psmisc pstree on the same work, with
# N extra sleeping processes arranged as a tree, and prints medians, ratios
# and peak memory. Every spawned process is in one process group, killed at
# the end (also on Ctrl-C).
#
#   bench/run.sh                 # N = 1000 and 5000
#   bench/run.sh 1000 5000 20000 # any sizes (pid_max permitting)
#   BASELINE=/path/to/old/pscope bench/run.sh 1000   # and an older build beside this one
#
# Needs: hyperfine, GNU time (/usr/bin/time), ps, pstree, top; procs if present.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
rounds=${ROUNDS:-3}         # passes over all commands
runs=${RUNS:-5}             # timed runs of each command in each pass
out_dir=bench/results
mkdir -p "$out_dir"

for tool in hyperfine ps pstree top /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install hyperfine procps psmisc time)" >&2; exit 2; }
done

cargo build --release --quiet --bin pscope --example floor
target=${CARGO_TARGET_DIR:-$PWD/target}
pscope=$target/release/pscope
floor=$target/release/examples/floor

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
  disown "$group" # its end is ours to cause; no job report
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

# hyperfine JSON files -> per command: the median wall time of all runs and
# the mean CPU time (user + system) over the passes, both in ms.
wall_and_cpu_ms() {
  python3 -c 'import json, statistics, sys
per_command = None
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    per_command = per_command or [([], []) for _ in results]
    for (times, cpu), r in zip(per_command, results):
        times.extend(r["times"])
        cpu.append(r["user"] + r["system"])
for times, cpu in per_command:
    print("%.1f %.1f" % (statistics.median(times) * 1000, statistics.mean(cpu) * 1000))' "$@"
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
  "floor: read every stat and status, 2 threads"
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
  "$floor status threads 2"
)
# JSON, written as it is made: it should cost about what the table costs.
names+=("pscope --json" "pscope --format jsonl" "pscope tree --json")
cmds+=("$pscope --json" "$pscope --format jsonl" "$pscope tree --json")
json_first=12
# top in batch mode: three frames 0.2 s apart (and top's 150 ms before the
# first). The sleeps make wall time meaningless: compare CPU time.
names+=("top -b -n 3 -d 0.2" "pscope top -b -n 3 -d 0.2")
cmds+=("top -b -n 3 -d 0.2" "$pscope top -b -n 3 -d 0.2")
top_first=15
# why --all: every task's state, system call and wchan, counted, against
# ps reading every process's state and wchan.
names+=("ps -e -o pid,stat,wchan" "pscope why --all")
cmds+=("ps -e -o pid,stat,wchan" "$pscope why --all")
why_first=17
# BASELINE=path/to/an/older/pscope times that build too, in the same run.
baseline_of=(3 5 8 10 12 14)
baseline_at=""
if [ -n "${BASELINE:-}" ]; then
  baseline_at=${#cmds[@]}
  for i in "${baseline_of[@]}"; do
    names+=("baseline: ${names[$i]}")
    cmds+=("${cmds[$i]/$pscope/$BASELINE}")
  done
fi
procs_at=""
if command -v procs >/dev/null; then
  procs_at=${#cmds[@]}
  names+=("procs --pager disable")
  cmds+=("procs --pager disable")
fi

# CPU seconds used so far by all kernel threads (PF_KTHREAD), which share
# the cores with the commands being timed.
kernel_thread_cpu_s() {
  python3 -c 'import os
hz = os.sysconf("SC_CLK_TCK")
ticks = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    if int(fields[6]) & 0x200000:
        ticks += int(fields[11]) + int(fields[12])
print(ticks / hz)'
}

ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }
quotient() { python3 -c "print('%.2f' % ($1 / $2))"; }
declare -A median_at # "size index" -> median wall ms
declare -A cpu_at    # "size index" -> mean CPU ms

for n in "${sizes[@]}"; do
  spawn_tree "$n"
  # Let the burst of process creation settle (reclaim, load average)
  # before timing anything.
  sleep "${SETTLE:-10}"
  total=$(ls -d /proc/[0-9]* | wc -l)
  echo "== $n extra processes ($total in all), $rounds x $runs runs each =="
  # Several short passes over all commands rather than one long one, so a
  # burst of background work (reclaim, kernel threads) falls on every
  # command alike. -N: no shell between hyperfine and the command.
  jsons=()
  kernel_before=$(kernel_thread_cpu_s)
  started=$(date +%s.%N)
  for ((round = 1; round <= rounds; round++)); do
    json="$out_dir/hyperfine-$n-$round.json"
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$json" \
      --output=pipe "${cmds[@]}" >/dev/null 2>&1
    jsons+=("$json")
  done
  kernel_share=$(python3 -c "print('%.0f%%' % (100 * ($(kernel_thread_cpu_s) - $kernel_before) / ($(date +%s.%N) - $started)))")
  medians=() cpus=()
  while read -r wall cpu; do
    medians+=("$wall")
    cpus+=("$cpu")
  done < <(wall_and_cpu_ms "${jsons[@]}")
  printf '%-44s %10s %8s %12s\n' command "median ms" "CPU ms" "peak RSS kB"
  declare -A peak_at=()
  for i in "${!cmds[@]}"; do
    median_at["$n $i"]=${medians[$i]}
    cpu_at["$n $i"]=${cpus[$i]}
    # shellcheck disable=SC2086
    peak_at[$i]=$(peak_kb ${cmds[$i]})
    printf '%-44s %10s %8s %12s\n' "${names[$i]}" "${medians[$i]}" "${cpus[$i]}" "${peak_at[$i]}"
  done
  echo "kernel threads used $kernel_share of one core while this size was timed"
  echo "ratios (ps or pstree time / pscope time):"
  echo "  stat-only columns:          $(ratio "${medians[2]}" "${medians[3]}")  (pscope / stat floor: $(quotient "${medians[3]}" "${medians[0]}"))"
  echo "  exact STAT:                 $(ratio "${medians[4]}" "${medians[5]}")  (pscope / stat+status floor: $(quotient "${medians[5]}" "${medians[1]}"); / its two-thread floor: $(quotient "${medians[5]}" "${medians[11]}"))"
  echo "  exact STAT, one thread:     $(ratio "${medians[4]}" "${medians[6]}")  (pscope / stat+status floor: $(quotient "${medians[6]}" "${medians[1]}"))"
  echo "  ps aux listing:             $(ratio "${medians[7]}" "${medians[8]}")"
  echo "  tree -p:                    $(ratio "${medians[9]}" "${medians[10]}")"
  echo "top -b -n 3 -d 0.2, CPU time pscope / top: $(quotient "${cpus[$((top_first + 1))]}" "${cpus[$top_first]}") (peak memory: $(quotient "${peak_at[$((top_first + 1))]}" "${peak_at[$top_first]}"))"
  echo "why --all, time pscope / ps -e -o pid,stat,wchan: $(quotient "${medians[$((why_first + 1))]}" "${medians[$why_first]}") (target: at most 3)"
  echo "JSON against the table listing (time, peak memory):"
  for ((i = json_first; i < json_first + 3; i++)); do
    printf '  %-40s %s %s\n' "${names[$i]}" "$(quotient "${medians[$i]}" "${medians[8]}")" \
      "$(quotient "${peak_at[$i]}" "${peak_at[8]}")"
  done
  if [ -n "$baseline_at" ]; then
    echo "this build against the baseline (time, peak memory; below 1 is better):"
    for k in "${!baseline_of[@]}"; do
      i=${baseline_of[$k]} b=$((baseline_at + k))
      printf '  %-40s %s %s\n' "${names[$i]}" "$(quotient "${medians[$i]}" "${medians[$b]}")" \
        "$(quotient "${peak_at[$i]}" "${peak_at[$b]}")"
    done
  fi
  if [ -n "$procs_at" ]; then
    echo "procs time / pscope time:"
    for i in 3 5 8 10; do
      printf '  %-40s %s\n' "${names[$i]}" "$(ratio "${medians[$procs_at]}" "${medians[$i]}")"
    done
    echo "  10x procs needs at most $(python3 -c "print('%.1f' % (${medians[$procs_at]} / 10))") ms; reading stat and status takes ${medians[11]} ms on two threads"
  fi
  cleanup
  sleep 1
done

# Growth in cost between the two largest sizes, for every command.
if [ ${#sizes[@]} -ge 2 ]; then
  small=${sizes[-2]} large=${sizes[-1]}
  echo "== time($large) / time($small): wall, CPU =="
  for i in "${!cmds[@]}"; do
    printf '%-44s %6s %6s\n' "${names[$i]}" \
      "$(quotient "${median_at["$large $i"]}" "${median_at["$small $i"]}")" \
      "$(quotient "${cpu_at["$large $i"]}" "${cpu_at["$small $i"]}")"
  done
fi
