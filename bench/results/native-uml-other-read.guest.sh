#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
insmod /pfc.ko
insmod /pfc_bench.ko iters=200000 reps=7 max_inodes=1000000
echo "run other_files" >$cmd
rmmod pfc_bench
rmmod pfc
