// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_unload - rmmod pfc, timed
 *
 * What unloading pfc costs with many entries and contexts left (issue 14):
 * the total time of `rmmod pfc` and the longest time any CPU went without
 * rescheduling meanwhile.  This module does not use pfc (a module that
 * does would keep it loaded), so the contexts are pfc's own, attached by
 * the guest through pfc's debugfs "attach"; this module only makes the
 * files fast and does the timing.  Commands, written to
 * /sys/kernel/debug/pfc_unload/cmd:
 *
 *	mkfiles DIR N   create the empty files DIR/f0 ... DIR/f<N-1>
 *	start N REP     start a stretch probe on every online CPU and the
 *	                clock; the next "pfc" module to finish its exit
 *	                function stops the clock
 *	stop            stop the probes; print the results as pfc_bench does:
 *	  PFCB bench=unload param=N impl=pfc rep=REP ns_op=... ops=1 ns=... ok=1
 *	  PFCB bench=unload_stretch param=N impl=pfc rep=REP ...
 *	  PFCE unload_stretch ... end_after_start_ns=... exit_end_after_start_ns=...
 *	                (when that longest stretch ended, and when pfc's exit
 *	                did, both from "start")
 *
 * The clock stops at MODULE_STATE_GOING, which delete_module() sends right
 * after pfc's exit function returned, so the time is pfc_exit() plus the
 * guest's rmmod getting there (its exec, the syscall): the N = 0 row
 * (pfc with nothing attached) is that baseline.  See bench/guest.sh.
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "stretch_probe.h"

/**
 * struct unload_run - one timed rmmod
 * @probes: one stretch probe per possible CPU (those online at start run).
 * @param: the N of the run, for the report.
 * @rep: its repetition, for the report.
 * @t0: ktime at "start".
 * @t1: ktime when pfc's exit function had returned, 0 before.
 * @running: between "start" and "stop".
 *
 * unload_lock serialises the commands; @t1 is written by the notifier
 * (the rmmod task), read by "stop" after it.
 */
struct unload_run {
	struct stretch_probe *probes;
	unsigned long param;
	unsigned int rep;
	u64 t0;
	u64 t1;
	bool running;
};

static DEFINE_MUTEX(unload_lock);
static struct unload_run unload_run;
static struct dentry *unload_dir;

static int unload_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct module *mod = data;

	if (action == MODULE_STATE_GOING && !strcmp(mod->name, "pfc") &&
	    READ_ONCE(unload_run.running) && !READ_ONCE(unload_run.t1))
		WRITE_ONCE(unload_run.t1, ktime_get_ns());
	return NOTIFY_DONE;
}

static struct notifier_block unload_nb = {
	.notifier_call = unload_notify,
};

/* Create @dir/f0 ... @dir/f<n-1>. */
static int unload_mkfiles(const char *dir, unsigned long n)
{
	unsigned long i;
	struct file *f;
	char *name;
	int err = 0;

	name = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		if (snprintf(name, PATH_MAX, "%s/f%lu", dir, i) >= PATH_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		f = filp_open(name, O_CREAT | O_WRONLY | O_NOFOLLOW, 0600);
		if (IS_ERR(f))
			err = PTR_ERR(f);
		else
			filp_close(f, NULL);
		cond_resched();
	}
	kfree(name);
	return err;
}

static int unload_start(unsigned long n, unsigned int rep)
{
	struct unload_run *r = &unload_run;
	unsigned int cpu;
	int err;

	if (r->running)
		return -EBUSY;
	r->probes = kcalloc(nr_cpu_ids, sizeof(*r->probes), GFP_KERNEL);
	if (!r->probes)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		err = stretch_probe_start(&r->probes[cpu], cpu);
		if (err)
			goto fail;
	}
	/* Let each probe settle before the clock starts. */
	msleep(20);
	for_each_online_cpu(cpu)
		stretch_probe_reset(&r->probes[cpu]);
	r->param = n;
	r->rep = rep;
	WRITE_ONCE(r->t1, 0);
	r->t0 = ktime_get_ns();
	WRITE_ONCE(r->running, true);
	return 0;
fail:
	for_each_possible_cpu(cpu)
		stretch_probe_stop(&r->probes[cpu]);
	kfree(r->probes);
	r->probes = NULL;
	return err;
}

static void report(const char *bench, unsigned long n, unsigned int rep,
		   u64 ns, bool ok)
{
	pr_info("PFCB bench=%s param=%lu impl=pfc rep=%u ns_op=%llu.00 ops=1 ns=%llu ok=%d\n",
		bench, n, rep, ns, ns, ok && ns);
}

static int unload_stop(void)
{
	struct unload_run *r = &unload_run;
	u64 gap = 0, gap_end = 0, runs = 0, t1;
	unsigned int cpu;

	if (!r->running)
		return -EINVAL;
	for_each_possible_cpu(cpu) {
		stretch_probe_stop(&r->probes[cpu]);
		if (r->probes[cpu].max_gap_ns > gap) {
			gap = r->probes[cpu].max_gap_ns;
			gap_end = r->probes[cpu].max_gap_end_ns;
		}
		runs += r->probes[cpu].runs;
	}
	kfree(r->probes);
	r->probes = NULL;
	WRITE_ONCE(r->running, false);
	t1 = READ_ONCE(r->t1);
	/* No pfc unloaded since "start": say so, fail the row. */
	report("unload", r->param, r->rep, t1 ? t1 - r->t0 : 0, t1);
	report("unload_stretch", r->param, r->rep, gap, t1 && runs);
	/* Where the longest stretch was: before or after pfc's exit ended. */
	if (t1 && gap)
		pr_info("PFCE unload_stretch param=%lu rep=%u end_after_start_ns=%llu exit_end_after_start_ns=%llu\n",
			r->param, r->rep, gap_end - r->t0, t1 - r->t0);
	return t1 ? 0 : -ENOENT;
}

static ssize_t unload_cmd_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char *buf, *arg;
	unsigned long n;
	unsigned int rep;
	int err = -EINVAL;

	if (len > PATH_MAX)
		return -ENAMETOOLONG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	arg = strim(buf);
	mutex_lock(&unload_lock);
	if (str_has_prefix(arg, "mkfiles ")) {
		char *dir = skip_spaces(arg + 8), *num = strrchr(dir, ' ');

		if (num) {
			*num++ = '\0';
			err = kstrtoul(num, 10, &n) ?: unload_mkfiles(strim(dir), n);
		}
	} else if (str_has_prefix(arg, "start ")) {
		if (sscanf(arg + 6, "%lu %u", &n, &rep) == 2)
			err = unload_start(n, rep);
	} else if (!strcmp(arg, "stop")) {
		err = unload_stop();
	}
	mutex_unlock(&unload_lock);
	kfree(buf);
	return err ?: len;
}

static const struct file_operations unload_cmd_fops = {
	.owner = THIS_MODULE,
	.write = unload_cmd_write,
};

static int __init pfc_unload_init(void)
{
	int err = register_module_notifier(&unload_nb);

	if (err)
		return err;
	unload_dir = debugfs_create_dir("pfc_unload", NULL);
	debugfs_create_file("cmd", 0200, unload_dir, NULL, &unload_cmd_fops);
	return 0;
}

static void __exit pfc_unload_exit(void)
{
	debugfs_remove_recursive(unload_dir);
	mutex_lock(&unload_lock);
	if (unload_run.running)
		unload_stop();
	mutex_unlock(&unload_lock);
	unregister_module_notifier(&unload_nb);
}

module_init(pfc_unload_init);
module_exit(pfc_unload_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rmmod pfc, timed: total time and longest stretch without rescheduling");
MODULE_AUTHOR("The pfc authors");
