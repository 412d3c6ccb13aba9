#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
for round in 1 2; do
for v in g a; do
	insmod /$v-pfc.ko || echo "PFCE error=insmod-$v"
	insmod /$v-pfc_bench.ko iters=1000 reps=1 max_inodes=1000000 scale_ms=10 || echo "PFCE error=bench-$v"
	echo "VARIANT $v round $round"
	echo "run inodes" >$cmd
	rmmod pfc_bench; rmmod pfc
done
done
vm-mark done
