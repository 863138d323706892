// How a learner's node is frozen and thawed so that nobody in the cluster notices (issue #24).
// The cgroup freezer stops every process, but the monotonic clock runs on, so after a thaw each
// component finds every timer overdue at once, and two of them misread it:
//  - the kubelet: its runtime check (30 s) and PLEG (3 min) look stale until their next run, and
//    its node-status loop, due at the same instant, posts the node NotReady for up to 10 s;
//  - the controller manager's node lifecycle controller: to it the kubelet was silent for the
//    whole freeze, so it may mark the node Unknown, every pod not Ready (Endpoints emptied) and
//    taint the node before the kubelet's first lease renewal reaches it.
// So the controller manager is frozen on its own first (its container's freezer cgroup, inside
// the node: it stays frozen while the node container is thawed) and the kubelet is stopped; the
// node container is paused. The thaw resumes it, starts the kubelet anew (no stale timers: it is
// Ready in about a second), and thaws the controller manager once the node is Ready again.
// Measured (2 cores, 200 s frozen): without these steps the kubelet posted NotReady and Ready
// came back after 10.6 s; with them Ready after 1.0 s, no node condition, taint or pod
// readiness changed (the static pods' Ready is re-stamped by the new kubelet) and no pod restarted.

const controllerFreezer = (v2: string, v1: string) => `pid=""
for p in /proc/[0-9]*; do
  if [ "$(cat "$p/comm" 2>/dev/null)" = kube-controller ]; then pid="\${p#/proc/}"; break; fi
done
[ -n "$pid" ] || { echo "no kube-controller-manager process on this node" >&2; exit 1; }
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo ${v2} > "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")/cgroup.freeze"
else
  echo ${v1} > "/sys/fs/cgroup/freezer$(sed -n 's/^[0-9]*:freezer://p' "/proc/$pid/cgroup")/freezer.state"
fi`;

/** Run in the node (as root) before its container is paused. */
export const beforeFreezeScript = `set -eu
${controllerFreezer('1', 'FROZEN')}
systemctl stop kubelet`;

/** Run in the node right after its container is unpaused. */
export const afterThawScript = 'systemctl start kubelet';

/** Run in the node once it is Ready again (also harmless on a node that was never frozen). */
export const releaseControllersScript = `set -eu
${controllerFreezer('0', 'THAWED')}`;
