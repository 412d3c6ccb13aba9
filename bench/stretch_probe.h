/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long a CPU went without rescheduling, seen from a SCHED_FIFO
 * kthread bound to it that sleeps about 100 us at a time: on a kernel
 * without forced preemption it runs again only when whatever runs there
 * reaches a scheduling point.  Shared by pfc_bench.ko (pfc_remove_owner())
 * and pfc_unload.ko (rmmod pfc), which cannot share a module.
 */
#ifndef PFC_BENCH_STRETCH_PROBE_H
#define PFC_BENCH_STRETCH_PROBE_H

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>

/**
 * struct stretch_probe - one CPU's probe
 * @task: the kthread, bound to the CPU.
 * @max_gap_ns: the longest time between two of its wake-ups since it
 *	started or was reset; written by @task only.
 * @max_gap_end_ns: ktime at the end of that gap; written by @task only.
 * @runs: its wake-ups; written by @task only.
 */
struct stretch_probe {
	struct task_struct *task;
	u64 max_gap_ns;
	u64 max_gap_end_ns;
	u64 runs;
};

static int stretch_probe_fn(void *data)
{
	struct stretch_probe *p = data;
	u64 last = ktime_get_ns(), now;

	while (!kthread_should_stop()) {
		usleep_range(100, 110);
		now = ktime_get_ns();
		if (now - last > p->max_gap_ns) {
			WRITE_ONCE(p->max_gap_ns, now - last);
			WRITE_ONCE(p->max_gap_end_ns, now);
		}
		WRITE_ONCE(p->runs, p->runs + 1);
		last = now;
	}
	return 0;
}

/* Start @p on @cpu; 0 or -errno. */
static inline int stretch_probe_start(struct stretch_probe *p, unsigned int cpu)
{
	p->max_gap_ns = 0;
	p->runs = 0;
	p->task = kthread_create_on_cpu(stretch_probe_fn, p, cpu,
					"pfcb_probe/%u");
	if (IS_ERR(p->task)) {
		int err = PTR_ERR(p->task);

		p->task = NULL;
		return err;
	}
	sched_set_fifo(p->task);
	get_task_struct(p->task);
	wake_up_process(p->task);
	return 0;
}

/*
 * Forget the gaps so far (the first one includes the thread's start):
 * call once @p has run for a while, before what is to be measured.
 */
static inline void stretch_probe_reset(struct stretch_probe *p)
{
	WRITE_ONCE(p->max_gap_ns, 0);
}

/* Stop @p (a no-op if it never started); its counts stay readable. */
static inline void stretch_probe_stop(struct stretch_probe *p)
{
	if (!p->task)
		return;
	kthread_stop(p->task);
	put_task_struct(p->task);
	p->task = NULL;
}

#endif /* PFC_BENCH_STRETCH_PROBE_H */
