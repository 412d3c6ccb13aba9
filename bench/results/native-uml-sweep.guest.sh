#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
insmod /pfc.ko
insmod /pfc_bench.ko iters=1000 reps=3 max_inodes=1000000
echo "run sweep" >$cmd
rmmod pfc_bench
rmmod pfc
