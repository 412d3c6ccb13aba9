// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - race points for the test build (see pfc_race.h)
 *
 * A test arms a point, optionally for one object, so that only the thread
 * working on that object stops there; the first such thread to pass the
 * point parks until the test releases it.  Arming is one-shot.  For paths
 * no KUnit case can run while pfc is loaded (module exit), the parameters
 * race_delay_point and race_delay_ms make the first thread to pass that
 * point sleep instead.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>

#include "pfc_race.h"

/**
 * struct pfc_race_slot - the state of one race point
 * @obj: the object a thread must pass the point with to park, or NULL
 *	for any.  Under pfc_race_lock.
 * @armed: the next matching thread parks.  Written under pfc_race_lock,
 *	read locklessly first on the fast path.
 * @parked: completed by the thread that parks.
 * @release: completed by the test to let it go on.
 */
struct pfc_race_slot {
	const void *obj;
	bool armed;
	struct completion parked;
	struct completion release;
};

static struct pfc_race_slot pfc_races[PFC_RACE_NR];
/* Protects the slots' @obj and @armed. */
static DEFINE_SPINLOCK(pfc_race_lock);

static int race_delay_point = -1;
module_param(race_delay_point, int, 0644);
MODULE_PARM_DESC(race_delay_point, "test builds: enum pfc_race point where the first thread sleeps race_delay_ms");
static unsigned int race_delay_ms;
module_param(race_delay_ms, uint, 0644);
MODULE_PARM_DESC(race_delay_ms, "test builds: how long, once");

/**
 * pfc_race_point() - a thread passes a race point
 * @point: the point
 * @obj: the object it works on (compared, never dereferenced)
 *
 * Context: Process context, no spinlock held; may sleep when armed.
 */
void pfc_race_point(enum pfc_race point, const void *obj)
{
	struct pfc_race_slot *s = &pfc_races[point];
	unsigned int ms;
	bool park;

	if (READ_ONCE(race_delay_point) == point) {
		ms = xchg(&race_delay_ms, 0);
		if (ms) {
			pr_info("race point %d: sleeping %u ms\n", point, ms);
			msleep(ms);
		}
	}
	if (!READ_ONCE(s->armed))
		return;
	spin_lock(&pfc_race_lock);
	park = s->armed && (!s->obj || s->obj == obj);
	if (park)
		WRITE_ONCE(s->armed, false);
	spin_unlock(&pfc_race_lock);
	if (!park)
		return;
	complete(&s->parked);
	wait_for_completion(&s->release);
}

/**
 * pfc_race_arm() - make the next thread that passes a point park there
 * @point: the point
 * @obj: only a thread passing it with this object, or NULL for any
 *
 * Context: Process context.
 */
void pfc_race_arm(enum pfc_race point, const void *obj)
{
	struct pfc_race_slot *s = &pfc_races[point];

	init_completion(&s->parked);
	init_completion(&s->release);
	spin_lock(&pfc_race_lock);
	s->obj = obj;
	WRITE_ONCE(s->armed, true);
	spin_unlock(&pfc_race_lock);
}
EXPORT_SYMBOL_NS_GPL(pfc_race_arm, PFC);

/**
 * pfc_race_wait_parked() - wait until a thread parks at an armed point
 * @point: the point
 * @timeout: in jiffies
 *
 * Context: Process context; sleeps.
 * Return: true once a thread is parked; false on timeout, in which case
 * the point is disarmed (a thread that parks later is let go at once).
 */
bool pfc_race_wait_parked(enum pfc_race point, unsigned long timeout)
{
	struct pfc_race_slot *s = &pfc_races[point];

	if (wait_for_completion_timeout(&s->parked, timeout))
		return true;
	spin_lock(&pfc_race_lock);
	WRITE_ONCE(s->armed, false);
	spin_unlock(&pfc_race_lock);
	complete(&s->release);
	return false;
}
EXPORT_SYMBOL_NS_GPL(pfc_race_wait_parked, PFC);

/**
 * pfc_race_release() - let the thread parked at a point go on
 * @point: the point
 *
 * Context: Any context.
 */
void pfc_race_release(enum pfc_race point)
{
	complete(&pfc_races[point].release);
}
EXPORT_SYMBOL_NS_GPL(pfc_race_release, PFC);
