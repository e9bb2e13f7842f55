#!/usr/bin/env bash
# Configures and starts a single-node Slurm (munge, slurmctld, slurmd) on localhost for the
# sweep's Slurm-backend test. Needs root and the Debian packages slurm-wlm and munge
# (scripts/setup.sh --test installs them). Idempotent: reuses a running cluster.
set -euo pipefail
base=${DFSIM_SLURM_DIR:-/tmp/dfsim-slurm}
mkdir -p "$base"/{state,spool,log}
host=$(hostname -s)
cpus=$(nproc)

if ! pgrep -x -r R,S,D munged >/dev/null; then
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  chmod 0700 /etc/munge
  if id munge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
  else
    /usr/sbin/munged --force
  fi
fi

conf=/etc/slurm/slurm.conf
mkdir -p /etc/slurm
cat > "$conf" <<CONF
ClusterName=dfsim-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool
SlurmctldPidFile=$base/slurmctld.pid
SlurmdPidFile=$base/slurmd.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# Slurm 22 also wants cgroup.conf present even when cgroups are not used.
# No cgroup.conf: with proctrack/linuxproc and task/none slurmd needs no cgroup plugin.

pgrep -x -r R,S,D slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x -r R,S,D slurmd >/dev/null || /usr/sbin/slurmd

for _ in $(seq 1 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|allocated"; then
    echo "slurm: up ($host, $cpus CPUs)"
    exit 0
  fi
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 1
done
echo "slurm: did not come up; see $base/log" >&2
sinfo >&2 || true
tail -20 "$base/log/slurmctld.log" "$base/log/slurmd.log" >&2 || true
exit 1
