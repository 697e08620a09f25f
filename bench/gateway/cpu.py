"""CPU seconds used so far by a PostgreSQL cluster (postmaster, live backends, and backends that
have exited) and by one other process. `python3 cpu.py <postmaster pid> <pid>` prints
"<postgres seconds> <process seconds>"; two snapshots around a run give each side's CPU per
request, which is what decides throughput on a machine whose cores are all busy."""
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17 (1-based)
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return utime + stime, cutime + cstime


def children(pid):
    result = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    result.append(int(entry))
            except OSError:
                pass
    return result


postmaster, other = int(sys.argv[1]), int(sys.argv[2])
own, exited = stat(postmaster)
live = 0
for child in children(postmaster):
    try:
        live += stat(child)[0]
    except OSError:
        pass
print(f"{(own + exited + live) / TICK:.2f} {stat(other)[0] / TICK:.2f}")
