// SPDX-License-Identifier: GPL-2.0
/*
 * pfcstat - print pfc's counters (and pfc_guard's, when it is loaded) as a
 * table, once or every N seconds, or list the attached contexts.
 *
 * usage: pfcstat [-i SECONDS] [-c COUNT] [-l] [-d DEBUGFS]
 *
 *   -i SECONDS  print a sample every SECONDS seconds (default: once); from
 *               the second sample on, a column shows the change
 *   -c COUNT    stop after COUNT samples (default: 1, or forever with -i)
 *   -l          list the attached contexts (pfc/contexts) instead
 *   -d DEBUGFS  where debugfs is mounted (default /sys/kernel/debug)
 *
 * Reads <debugfs>/pfc/stats and <debugfs>/pfc_guard/stats: one "name
 * value" pair per line.  Names it does not know are printed as they are.
 * Exit status: 0, 1 if pfc's files cannot be read (not loaded, no debugfs,
 * not root), 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_STATS	64
#define NAME_LEN	64

struct stat_set {
	const char *title;	/* "pfc", "pfc_guard" */
	const char *file;	/* relative to debugfs */
	int n;
	char names[MAX_STATS][NAME_LEN];
	long long values[MAX_STATS];
	long long prev[MAX_STATS];
	int have_prev;
};

/* Friendlier labels for the names the modules print. */
static const char *const labels[][2] = {
	{ "inodes", "inodes with contexts" },
	{ "contexts", "live contexts" },
	{ "callbacks_pending", "free callbacks pending" },
	{ "inserts", "inserts" },
	{ "unlinks", "unlinks" },
	{ "lookups", "lookups" },
	{ "teardowns", "teardowns (inode gone)" },
	{ "callbacks_run", "free callbacks run" },
	{ "entries_created", "inodes that got contexts" },
	{ "callbacks_queued", "free callbacks queued" },
	{ "digests", "digests on deny list" },
	{ "generation", "deny-list generation" },
	{ "watches", "file systems watched" },
	{ "opens", "opens checked" },
	{ "hits", "verdict cache hits" },
	{ "misses", "verdict cache misses" },
	{ "hashes", "files hashed" },
	{ "hashed_bytes", "bytes hashed" },
	{ "denials", "opens denied (EACCES)" },
	{ "revalidations", "verdicts redone (new list)" },
	{ "invalidations", "verdicts stale (changed)" },
	{ "write_opens", "opens for write" },
	{ "uncached", "hashed, not cached" },
	{ "errors", "hash errors" },
	{ "files", "open files with contexts" },
	{ "close_marks", "inodes watched for closes" },
	{ "files_created", "open files that got contexts" },
	{ "files_closed", "their last closes" },
	{ "close_checks", "re-hashed at last close" },
	{ "close_busy", "last close, writers left" },
	{ "close_wrote", "closes after a change" },
	{ "close_denied", "denied at last close" },
	{ "open_records", "write-opens recorded" },
	{ "open_record_contexts", "write-open records live" },
};

static const char *label(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i][0], name))
			return labels[i][1];
	return name;
}

static char *path_of(const char *debugfs, const char *file)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", debugfs, file);
	return path;
}

/* Read a "name value" file into @set; -1 if it cannot be opened. */
static int read_set(const char *debugfs, struct stat_set *set)
{
	char line[256], name[NAME_LEN];
	long long value;
	FILE *f;

	f = fopen(path_of(debugfs, set->file), "r");
	if (!f)
		return -1;
	set->n = 0;
	while (set->n < MAX_STATS && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", name, &value) != 2)
			continue;
		strcpy(set->names[set->n], name);
		set->values[set->n] = value;
		set->n++;
	}
	fclose(f);
	return 0;
}

static void print_set(struct stat_set *set, int show_change)
{
	int i;

	printf("%-32s %14s", set->title, "value");
	if (show_change)
		printf(" %10s", "change");
	printf("\n");
	for (i = 0; i < set->n; i++) {
		printf("  %-30s %14lld", label(set->names[i]), set->values[i]);
		if (show_change && set->have_prev) {
			long long d = set->values[i] - set->prev[i];

			if (d)
				printf(" %+10lld", d);
		}
		printf("\n");
		set->prev[i] = set->values[i];
	}
	set->have_prev = 1;
}

/* Print pfc/contexts as an aligned table. */
static int list_contexts(const char *debugfs)
{
	char line[512], owner[256], *f[16], *p;
	int n, i, count = 0;
	FILE *file;

	file = fopen(path_of(debugfs, "pfc/contexts"), "r");
	if (!file) {
		fprintf(stderr, "pfcstat: %s: %s\n",
			path_of(debugfs, "pfc/contexts"), strerror(errno));
		return 1;
	}
	printf("%-10s %10s  %-32s %-18s %4s\n",
	       "SB", "INODE", "OWNER", "INSTANCE", "REFS");
	while (fgets(line, sizeof(line), file)) {
		if (line[0] == '#')
			continue;
		/* sb ino owner... instance refs: the owner may hold spaces */
		n = 0;
		for (p = strtok(line, " \t\n"); p && n < 16;
		     p = strtok(NULL, " \t\n"))
			f[n++] = p;
		if (n < 5)
			continue;
		owner[0] = '\0';
		for (i = 2; i < n - 2; i++) {
			if (i > 2)
				strncat(owner, " ", sizeof(owner) - strlen(owner) - 1);
			strncat(owner, f[i], sizeof(owner) - strlen(owner) - 1);
		}
		printf("%-10s %10s  %-32s %-18s %4s\n",
		       f[0], f[1], owner, f[n - 2], f[n - 1]);
		count++;
	}
	fclose(file);
	printf("(%d context%s)\n", count, count == 1 ? "" : "s");
	return 0;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: pfcstat [-i SECONDS] [-c COUNT] [-l] [-d DEBUGFS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct stat_set sets[2] = {
		{ .title = "pfc", .file = "pfc/stats" },
		{ .title = "pfc_guard", .file = "pfc_guard/stats" },
	};
	const char *debugfs = "/sys/kernel/debug";
	long interval = 0, count = -1, sample;
	int list = 0, opt;
	char *end;

	while ((opt = getopt(argc, argv, "i:c:ld:h")) != -1) {
		switch (opt) {
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end || interval < 1)
				print_usage();
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count < 1)
				print_usage();
			break;
		case 'l':
			list = 1;
			break;
		case 'd':
			debugfs = optarg;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc)
		print_usage();
	if (list)
		return list_contexts(debugfs);
	if (count < 0)
		count = interval ? 0 : 1;	/* 0: forever */

	for (sample = 0; !count || sample < count; sample++) {
		if (sample)
			sleep(interval);
		if (read_set(debugfs, &sets[0])) {
			fprintf(stderr, "pfcstat: %s: %s\n",
				path_of(debugfs, sets[0].file), strerror(errno));
			fprintf(stderr, "pfcstat: is pfc loaded, debugfs mounted, are you root?\n");
			return 1;
		}
		if (interval) {
			time_t now = time(NULL);
			char stamp[32];

			strftime(stamp, sizeof(stamp), "%H:%M:%S",
				 localtime(&now));
			printf("--- %s ---\n", stamp);
		}
		print_set(&sets[0], interval != 0);
		if (!read_set(debugfs, &sets[1]))
			print_set(&sets[1], interval != 0);
		fflush(stdout);
	}
	return 0;
}
