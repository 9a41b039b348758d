#!/usr/bin/env bash
# Starts a throw-away Slurm for tests: munged (own key and socket), slurmctld and one slurmd, all
# under $D, by hand (no systemd), nothing in /etc touched; PIDs in $D/*.pid for slurm-down.sh.
# It installs nothing (.ci/install-deps does) and needs root (slurmd launches the tasks).
# Usage: D=/tmp/x PORT=6817 CPUS=8 tests/cluster/slurm-up.sh && export SLURM_CONF=/tmp/x/slurm.conf
set -euo pipefail
D=${D:?set D to an empty folder for the cluster state}
PORT=${PORT:-6817}                # slurmctld = PORT, slurmd = PORT + 1
CPUS=${CPUS:-8}                   # declared CPUs (> cores: many small tasks at once)
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm-up: $tool not found (run .ci/install-deps)" >&2; exit 2; }
done
rm -rf "$D"; mkdir -p "$D"/{state,log,munge,spool}; chmod 700 "$D/munge"
HOST=$(hostname -s)
MEM=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 / 2 ))

dd if=/dev/urandom of="$D/munge/munge.key" bs=1 count=1024 status=none
chmod 400 "$D/munge/munge.key"
munged --force --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" \
       --pid-file="$D/munged.pid" --log-file="$D/log/munged.log" --seed-file="$D/munge/munged.seed"

# linuxproc/none plugins: no cgroups, no systemd, no database (so no sacct: results are files).
# batch_sched_delay/sched_min_interval = 0: no 2-3 s per scheduling wave; KillWait = 5 s.
cat > "$D/slurm.conf" <<CONF
ClusterName=genlabtest
SlurmctldHost=${HOST}(127.0.0.1)
SlurmctldPort=${PORT}
SlurmdPort=$((PORT + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=300
MailProg=/bin/true
SlurmdParameters=config_overrides
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM}
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
slurmctld -i          # daemonizes; -i: ignore any saved state
slurmd
for _ in $(seq 1 150); do   # up to 30 s until the node is idle
  if [ "$(sinfo -h -N -o '%t' 2>/dev/null)" = "idle" ]; then echo "slurm up: SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "slurm-up: the node did not become idle" >&2; tail -n 20 "$D"/log/*.log >&2; exit 1
