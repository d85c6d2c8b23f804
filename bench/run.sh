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

# The rows: an id (used below to compute ratios), a name and a command.
declare -a ids=() names=() cmds=()
declare -A at # id -> index
row() {
  at[$1]=${#ids[@]}
  ids+=("$1")
  names+=("$2")
  cmds+=("$3")
}
# The kernel's floors: /proc listed and the named files read, nothing parsed.
row floor_stat "floor: read every stat (1 thread)" "$floor"
row floor_status "floor: read every stat and status" "$floor status"
row floor_status_2 "floor: read every stat and status, 2 threads" "$floor status threads 2"
row floor_cmdline "floor: stat, status and cmdline" "$floor status cmdline"
row floor_cmdline_2 "floor: stat, status and cmdline, 2 threads" "$floor status cmdline threads 2"
row floor_wchan "floor: stat, status and wchan" "$floor status wchan"
row floor_wchan_2 "floor: stat, status and wchan, 2 threads" "$floor status wchan threads 2"
# ps's own command lines, ps and pscope each.
row ps_stat "ps -e -o pid,ppid,pgid,sid,ni,pri,comm" "ps -e -o pid,ppid,pgid,sid,ni,pri,comm"
row pscope_stat "pscope -e -o pid,ppid,pgid,sid,ni,pri,comm" "$pscope -e -o pid,ppid,pgid,sid,ni,pri,comm"
row ps_exact "ps -e -o pid,ppid,stat,ni,comm" "ps -e -o pid,ppid,stat,ni,comm"
row pscope_exact "pscope -e -o pid,ppid,stat,ni,comm" "$pscope -e -o pid,ppid,stat,ni,comm"
row pscope_exact_1 "pscope --jobs 1 -e -o pid,ppid,stat,ni,comm" "$pscope --jobs 1 -e -o pid,ppid,stat,ni,comm"
row ps_aux "ps aux" "ps aux"
row pscope_aux "pscope aux" "$pscope aux"
row ps_ef "ps -ef" "ps -ef"
row pscope_ef "pscope -ef" "$pscope -ef"
row ps_ajx "ps -ajx" "ps -ajx"
row pscope_ajx "pscope -ajx" "$pscope -ajx"
row ps_l "ps -l" "ps -l"
row pscope_l "pscope -l" "$pscope -l"
# pscope's own listing and tree.
row pscope_default "pscope (default listing)" "$pscope"
row pstree "pstree -p" "pstree -p"
row pscope_tree "pscope tree -p" "$pscope tree -p"
# JSON, written as it is made: it should cost about what the table costs.
row json "pscope --json" "$pscope --json"
row jsonl "pscope --format jsonl" "$pscope --format jsonl"
row tree_json "pscope tree --json" "$pscope tree --json"
# top in batch mode: three frames 0.2 s apart (and top's 150 ms before the
# first). The sleeps make wall time meaningless: compare CPU time.
row top "top -b -n 3 -d 0.2" "top -b -n 3 -d 0.2"
row pscope_top "pscope top -b -n 3 -d 0.2" "$pscope top -b -n 3 -d 0.2"
# why --all: every task's state, system call and wchan, counted, against
# ps reading every process's state and wchan.
row ps_wchan "ps -e -o pid,stat,wchan" "ps -e -o pid,stat,wchan"
row why_all "pscope why --all" "$pscope why --all"
# BASELINE=path/to/an/older/pscope times that build too, in the same run.
baseline_of=(pscope_stat pscope_exact pscope_aux pscope_default pscope_tree json tree_json)
if [ -n "${BASELINE:-}" ]; then
  for id in "${baseline_of[@]}"; do
    row "baseline_$id" "baseline: ${names[${at[$id]}]}" "${cmds[${at[$id]}]/$pscope/$BASELINE}"
  done
fi
has_procs=""
if command -v procs >/dev/null; then
  has_procs=1
  row procs "procs --pager disable" "procs --pager disable"
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
  wall() { echo "${medians[${at[$1]}]}"; }
  cpu() { echo "${cpus[${at[$1]}]}"; }
  peak() { echo "${peak_at[${at[$1]}]}"; }
  versus() { # ps row, pscope row, floor rows...: speed-up and floor quotients
    local line
    line=$(printf '  %-36s %s' "${names[${at[$2]}]}:" "$(ratio "$(wall "$1")" "$(wall "$2")")")
    shift
    local mine=$1
    shift
    for f in "$@"; do
      line+="  / ${names[${at[$f]}]#floor: }: $(quotient "$(wall "$mine")" "$(wall "$f")")"
    done
    echo "$line"
  }
  echo "ps time / pscope time, and pscope's time over the floor of the files it reads:"
  versus ps_stat pscope_stat floor_stat
  versus ps_exact pscope_exact floor_status floor_status_2
  versus ps_exact pscope_exact_1 floor_status
  versus ps_aux pscope_aux floor_cmdline floor_cmdline_2
  versus ps_ef pscope_ef floor_cmdline floor_cmdline_2
  versus ps_ajx pscope_ajx floor_cmdline floor_cmdline_2
  versus ps_l pscope_l floor_wchan floor_wchan_2
  versus ps_aux pscope_default floor_cmdline floor_cmdline_2
  echo "pstree time / pscope time:"
  versus pstree pscope_tree
  echo "top -b -n 3 -d 0.2, CPU time pscope / top: $(quotient "$(cpu pscope_top)" "$(cpu top)") (peak memory: $(quotient "$(peak pscope_top)" "$(peak top)"))"
  echo "why --all, time pscope / ps -e -o pid,stat,wchan: $(quotient "$(wall why_all)" "$(wall ps_wchan)") (target: at most 3)"
  echo "JSON against the table listing (time, peak memory):"
  for id in json jsonl tree_json; do
    printf '  %-40s %s %s\n' "${names[${at[$id]}]}" "$(quotient "$(wall "$id")" "$(wall pscope_default)")" \
      "$(quotient "$(peak "$id")" "$(peak pscope_default)")"
  done
  if [ -n "${BASELINE:-}" ]; then
    echo "this build against the baseline (time, peak memory; below 1 is better):"
    for id in "${baseline_of[@]}"; do
      printf '  %-40s %s %s\n' "${names[${at[$id]}]}" "$(quotient "$(wall "$id")" "$(wall "baseline_$id")")" \
        "$(quotient "$(peak "$id")" "$(peak "baseline_$id")")"
    done
  fi
  if [ -n "$has_procs" ]; then
    echo "procs time / pscope time:"
    for id in pscope_stat pscope_exact pscope_default pscope_tree; do
      printf '  %-40s %s\n' "${names[${at[$id]}]}" "$(ratio "$(wall procs)" "$(wall "$id")")"
    done
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
