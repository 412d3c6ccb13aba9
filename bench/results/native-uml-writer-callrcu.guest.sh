#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
for v in a v1 a v1; do
	insmod /$v-pfc.ko || echo "PFCE error=insmod-$v"
	insmod /$v-pfc_bench.ko iters=10000 reps=2 max_inodes=1000 scale_ms=500 || echo "PFCE error=bench-$v"
	echo "VARIANT $v"
	echo "run inodes" >$cmd
	rmmod pfc_bench; rmmod pfc
done
vm-mark done
