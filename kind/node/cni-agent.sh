#!/bin/sh
# A minimal CNI agent for offline kind nodes, standing in for kindnetd (whose source is not on
# the Go module proxy). Per node it writes a ptp + host-local CNI config for the node's podCIDR,
# masquerades pod traffic leaving the cluster, and keeps a route to every other node's podCIDR
# via that node's InternalIP. Runs as a hostNetwork DaemonSet (kind/node/default-cni.yaml).
set -eu
: "${NODE_NAME:?NODE_NAME must be set (downward API)}" "${POD_SUBNET:?POD_SUBNET must be set}"

sa=/var/run/secrets/kubernetes.io/serviceaccount
# kind sets CONTROL_PLANE_ENDPOINT: the API server without needing kube-proxy's service rules.
server="https://${CONTROL_PLANE_ENDPOINT:-${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}}"
k() { kubectl --server="$server" --token="$(cat "$sa/token")" --certificate-authority="$sa/ca.crt" "$@"; }
log() { echo "cni-agent: $*"; }

cidr=""
until [ -n "$cidr" ]; do
  cidr="$(k get node "$NODE_NAME" -o jsonpath='{.spec.podCIDR}' 2>/dev/null || true)"
  [ -n "$cidr" ] || { log "waiting for node $NODE_NAME to get a podCIDR"; sleep 2; }
done
log "node $NODE_NAME podCIDR $cidr (cluster $POD_SUBNET)"

conf=/etc/cni/net.d/10-labs-ptp.conflist
cat >"$conf.tmp" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "labs-ptp",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": "/run/cni-ipam-state",
        "routes": [{ "dst": "0.0.0.0/0" }],
        "ranges": [[{ "subnet": "$cidr" }]]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
mv "$conf.tmp" "$conf"
log "wrote $conf"

# Pod traffic to anything outside the pod network leaves with the node's address.
rule="-s $POD_SUBNET ! -d $POD_SUBNET -m comment --comment labs-cni-masquerade -j MASQUERADE"
# shellcheck disable=SC2086
iptables -t nat -C POSTROUTING $rule 2>/dev/null || iptables -t nat -A POSTROUTING $rule

# kind makes all of a cluster's nodes at once, so the node list settles within minutes: it is
# read every 15 s, then ever less often (up to every 5 min) while it stays the same. Each read
# is a kubectl process, which an idle one-node learner cluster should not pay for every 15 s.
every=15
seen=""
while true; do
  nodes="$(k get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}' 2>/dev/null || true)"
  echo "$nodes" | while read -r name podcidr ip; do
    [ "$name" = "$NODE_NAME" ] || [ -z "$podcidr" ] || [ -z "$ip" ] && continue
    ip route replace "$podcidr" via "$ip" || log "cannot route $podcidr via $ip ($name)"
  done
  if [ -n "$nodes" ] && [ "$nodes" = "$seen" ]; then every=$((every * 2 > 300 ? 300 : every * 2)); else every=15; fi
  seen="$nodes"
  sleep "$every"
done
