#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
echo "PFCE kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
insmod /pfc.ko || echo "PFCE error=insmod-pfc"
insmod /pfc_bench.ko iters=100000 reps=7 max_inodes=1000 scale_ms=500 || echo "PFCE error=insmod-bench"
echo "run inodes" >$cmd
rmmod pfc_bench; rmmod pfc
vm-mark done
