#!/bin/sh
cmd=/sys/kernel/debug/pfc_bench/cmd
for v in old new; do
	insmod /$v-pfc.ko || echo "PFCE error=insmod-$v"
	insmod /$v-pfc_bench.ko iters=1000 reps=5 max_inodes=20000 || echo "PFCE error=bench-$v"
	echo "VARIANT $v"
	echo "run scale_insert" >$cmd
	rmmod pfc_bench; rmmod pfc
done
