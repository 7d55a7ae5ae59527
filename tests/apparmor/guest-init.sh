#!/bb/busybox sh
# PID 1 of the AppArmor test guest (tests/integration/apparmor-kernel.test.ts). The guest has no disk and no NIC:
# its root is this initramfs, the host's / arrives read-only over virtio-9p, /data, /homeassistant, /tmp and /run
# are tmpfs, as in the add-on container. It builds a small LAN from veth pairs and network namespaces inside the
# guest kernel, then runs the test driver and powers off.
export PATH=/bb
/bb/busybox --install -s /bb
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >/dev/console 2>&1 </dev/null
mount -t securityfs securityfs /sys/kernel/security
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
echo "@@BOOTED $(cut -d' ' -f1 /proc/uptime)"
for m in $(cat /modules.list); do insmod "/mods/$m" || echo "@@FATAL insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host || echo "@@FATAL 9p mount failed"
for a in $(cat /proc/cmdline); do
  case "$a" in lsn_dir=*) PLAN="${a#lsn_dir=}" ;; lsn_repo=*) REPO="${a#lsn_repo=}" ;; esac
done
mount --bind /host/usr /usr
mount --bind /host/etc /etc
mount --bind "/host$REPO" /app
for d in /tmp /run /data /homeassistant /var /root; do mount -t tmpfs -o mode=0755 tmpfs "$d"; done
chmod 1777 /tmp
mkdir -p /tmp/aa-cache /var/tmp /run/netns
echo "@@APPARMOR enabled=$(cat /sys/module/apparmor/parameters/enabled) lsm=$(cat /sys/kernel/security/lsm)"
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bb

# the simulated LAN: a bridge with the scanner's address, one namespace per host
/usr/bin/ip link set lo up
/usr/bin/ip addr add 172.30.32.2/32 dev lo
/usr/bin/ip link add br0 type bridge
/usr/bin/ip link set br0 up
. "/host$PLAN/lan.sh"
echo "@@LAN up"

node "/host$PLAN/driver.cjs" "/host$PLAN"
echo "@@POWEROFF"
sync
poweroff -f
