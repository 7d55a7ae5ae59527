# Stands in for s6-overlay's with-contenv + bashio (not on this machine) and then runs the add-on's real s6 run
# script, so the process chain is the container's: top-level profile → bash (run script) → exec node → nmap.
bashio::log.info() { echo "[info] $*"; }
bashio::log.warning() { echo "[warning] $*"; }
. /app/addon/rootfs/etc/services.d/lan-sentinel/run
