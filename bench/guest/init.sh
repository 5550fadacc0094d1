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

# The unbind's time in the functions that tear the device down, by ftrace's function_graph (its closing lines
# name the function and its duration): kill_dax (with the SRCU grace period it waits for) and the unmapping.
TRACING=/sys/kernel/tracing
TRACED="kill_dax synchronize_srcu unmap_mapping_range"
trace_on() {
  [ -e $TRACING/trace ] || mount -t tracefs tracefs $TRACING 2>/dev/null || return 0
  echo 0 >$TRACING/tracing_on
  echo "$TRACED" >$TRACING/set_ftrace_filter 2>/dev/null || return 0
  echo function_graph >$TRACING/current_tracer 2>/dev/null || return 0
  echo funcgraph-tail >$TRACING/trace_options
  echo >$TRACING/trace
  echo 1 >$TRACING/tracing_on
}
trace_report() {
  [ -e $TRACING/trace ] || return 0
  echo 0 >$TRACING/tracing_on
  awk -F'|' -v align=$1 '
    match($1, /[0-9.]+ us/) {
      ns = substr($1, RSTART, RLENGTH - 3) * 1000; name = ""
      if (match($2, /\/\* [a-z_]+ \*\//)) name = substr($2, RSTART + 3, RLENGTH - 6)
      else if (match($2, /[a-z_]+\(\);/)) name = substr($2, RSTART, RLENGTH - 3)
      if (name != "") { total[name] += ns; calls[name]++ }
    }
    END { for (n in total) printf "@dax trace align=%s function=%s calls=%d total_ns=%d\n", align, n, calls[n], total[n] }
  ' $TRACING/trace
  echo nop >$TRACING/current_tracer
}

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
    race)
      trace_on
      /dax-probe race $DAX $align $(param race_bytes) $(param rounds) $DRIVER/unbind $DRIVER/bind $(param seed)
      ;;
    esac
    status=$?
    [ $step = race ] && trace_report $align
    say step name=$step align=$align status=$status
  done
done
# Last, and only when asked: a case that oopses some kernels (oops=panic then ends the guest here).
if [ "$(param oops_cases)" = 1 ] && [ -e $DAX ]; then
  /dax-probe reopen-unbound $DAX 4096 $DRIVER/unbind
  say step name=reopen-unbound align=0 status=$?
fi
finish
