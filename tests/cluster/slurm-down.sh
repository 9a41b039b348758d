#!/usr/bin/env bash
# Stops what slurm-up.sh started in $D, by its PID files only: TERM, wait up to 10 s, then KILL.
# It never looks processes up by name (other clusters on this machine stay up).
D=${D:?set D to the folder given to slurm-up.sh}
pids=""
for f in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munged.pid"; do
  [ -s "$f" ] && pids="$pids $(cat "$f")"
done
[ -z "$pids" ] && exit 0
kill $pids 2>/dev/null
for _ in $(seq 1 100); do
  alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && exit 0
  sleep 0.1
done
kill -9 $alive 2>/dev/null
exit 0
