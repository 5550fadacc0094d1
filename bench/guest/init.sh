#!/bin/busybox sh
# The guest's /init (busybox sh): load the pmem and Device-DAX modules, make a devdax namespace for each
# alignment asked, and run the probe's steps on /dev/dax0.0. What to run comes from the kernel command line
# (daxbench.*=), so one initramfs serves every run. Every result line starts "@dax "; the last is "@dax end",
# then the guest powers off. host/guest/boot.ts writes the command line and reads the lines.

/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp

param() { tr ' ' '\n' </proc/cmdline | sed -n "s/^daxbench\.$1=//p"; }

say() { echo "@dax $*"; }

finish() {
  say end
  sync
  poweroff -f
}

say kernel release=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)

# libnvdimm first, device_dax before dax_pmem: the modules ship without modules.dep and busybox resolves none.
for module in libnvdimm nd_btt nd_pmem nd_e820 nfit device_dax dax_pmem; do
  insmod /lib/modules/$module.ko || { say error what=insmod module=$module; finish; }
done

DAX=/dev/dax0.0
DRIVER=/sys/bus/dax/drivers/device_dax
for align in $(param align | tr ',' ' '); do
  if ! ndctl create-namespace --force --reconfig=namespace0.0 --mode=devdax --align=$align >/tmp/ns 2>&1; then
    say error what=create-namespace align=$align reason=\"$(tr '\n' ' ' </tmp/ns)\"
    continue
  fi
  i=0
  while [ ! -e $DAX ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  bytes=$(cat /sys/bus/dax/devices/dax0.0/size)
  say namespace align=$align bytes=$bytes
  for step in $(param steps | tr ',' ' '); do
    case $step in
    faults) /dax-probe faults $DAX $align $(param fault_bytes) $(param repeat) ;;
    rules) /dax-probe rules $DAX $align $bytes $DRIVER/unbind $DRIVER/bind ;;
    race) /dax-probe race $DAX $align $(param race_bytes) $(param rounds) $DRIVER/unbind $DRIVER/bind $(param seed) ;;
    esac
    say step name=$step align=$align status=$?
  done
done
# Last, and only when asked: a case that oopses some kernels (oops=panic then ends the guest here).
if [ "$(param oops_cases)" = 1 ] && [ -e $DAX ]; then
  /dax-probe reopen-unbound $DAX 4096 $DRIVER/unbind
  say step name=reopen-unbound align=0 status=$?
fi
finish
