/* cleanup: registry of a run's namespaces and processes, in memory and in
 * /run/punchlab/<rid>/ (owner, pids) for `punchlab clean`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "netns.h"
#include "pcpstate.h"
#include "proc.h"
#include "runid.h"

/* How long a process gets to exit on SIGTERM before SIGKILL. */
#define CLEANUP_GRACE_MS 1000

struct cleanup {
	char rid[RUNID_LEN + 1];
	char dir[PATH_MAX];
	char **netns;
	size_t nnetns, cap_netns;
	struct proc_stop *procs;
	size_t nprocs, cap_procs;
};

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int append_line(const char *dir, const char *file, const char *line)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		ret = -EIO;
	close(fd);
	return ret;
}

struct cleanup *cleanup_new(const char *rid)
{
	struct cleanup *c;
	char line[64];
	int e;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->rid, sizeof(c->rid), "%s", rid);
	snprintf(c->dir, sizeof(c->dir), "%s/%s", RUNID_STATE_DIR, rid);
	if (mkdir(RUNID_STATE_DIR, 0755) < 0 && errno != EEXIST)
		goto err_dir;
	if (mkdir(c->dir, 0755) < 0)
		goto err_dir;
	snprintf(line, sizeof(line), "%d %llu\n", (int)getpid(),
		 proc_starttime(getpid()));
	e = append_line(c->dir, "owner", line);
	if (e < 0) {
		errno = -e;
		goto err_owner;
	}
	return c;

err_owner:
	e = errno;
	rmdir(c->dir);
	errno = e;
err_dir:
	e = errno;
	free(c);
	errno = e;
	return NULL;
}

int cleanup_netns(struct cleanup *c, const char *name)
{
	char *dup;

	if (grow((void **)&c->netns, &c->cap_netns, c->nnetns,
		 sizeof(*c->netns)) < 0)
		return -ENOMEM;
	dup = strdup(name);
	if (!dup)
		return -ENOMEM;
	c->netns[c->nnetns++] = dup;
	return 0;
}

int cleanup_pid(struct cleanup *c, pid_t pid)
{
	struct proc_stop *p;
	char line[64];

	if (grow((void **)&c->procs, &c->cap_procs, c->nprocs,
		 sizeof(*c->procs)) < 0)
		return -ENOMEM;
	p = &c->procs[c->nprocs++];
	*p = (struct proc_stop){ .pid = pid, .starttime = proc_starttime(pid) };
	snprintf(line, sizeof(line), "%d %llu\n", (int)pid, p->starttime);
	return append_line(c->dir, "pids", line);
}

void cleanup_reaped(struct cleanup *c, pid_t pid)
{
	for (size_t i = 0; i < c->nprocs; i++) {
		if (c->procs[i].pid == pid) {
			c->procs[i] = c->procs[--c->nprocs];
			return;
		}
	}
}

static int remove_state_dir(const char *dir)
{
	char path[PATH_MAX];
	/* "shapeboard": harness/common/shapeboard.h's SHAPEBOARD_FILE */
	static const char *const files[] = {
		"owner", "pids", "kept", "hosts", "shapeboard", NULL
	};

	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	/* The routers' miniupnpd files (and a daemon its pid file still
	 * names, when it is the run's: after a SIGKILL of punchlab). */
	pcpstate_clean(dir);
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

int cleanup_run(struct cleanup *c)
{
	int failed = 0, e;

	if (!c)
		return 0;
	/* All at once, and only as long as the slowest takes to exit. */
	failed += proc_stop_all(c->procs, c->nprocs, CLEANUP_GRACE_MS);
	c->nprocs = 0;
	while (c->nnetns > 0) {
		char *name = c->netns[--c->nnetns];

		e = netns_del(name);
		if (e < 0 && e != -ENOENT) {
			errno = -e;
			log_warn("cannot delete namespace %s", name);
			failed++;
		}
		free(name);
	}
	if (c->dir[0]) {
		e = remove_state_dir(c->dir);
		if (e < 0) {
			errno = -e;
			log_warn("cannot remove %s", c->dir);
			failed++;
		}
		c->dir[0] = '\0';
	}
	return failed;
}

void cleanup_detach(struct cleanup *c)
{
	if (!c)
		return;
	/* Left up on purpose: `punchlab clean` skips it without --force. */
	append_line(c->dir, "kept", "punchlab up\n");
	for (size_t i = 0; i < c->nnetns; i++)
		free(c->netns[i]);
	free(c->netns);
	free(c->procs);
	free(c);
}

void cleanup_free(struct cleanup *c)
{
	if (!c)
		return;
	cleanup_run(c);
	free(c->netns);
	free(c->procs);
	free(c);
}

/* 1 when the run's owner process (from its state dir) is still alive. */
static int owner_alive(const char *dir)
{
	char path[PATH_MAX];
	unsigned long long st;
	FILE *f;
	int pid, alive = 0;

	if (snprintf(path, sizeof(path), "%s/owner", dir) >= (int)sizeof(path))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* A zombie owner is dead: PID 1 here may reap it late. */
	if (fscanf(f, "%d %llu", &pid, &st) == 2 && pid > 1 &&
	    pid != getpid() && proc_starttime(pid) == st &&
	    !proc_zombie(pid))
		alive = 1;
	fclose(f);
	return alive;
}

/* 1 when the run was left up on purpose (punchlab up, probe --keep). */
static int kept(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/kept", dir) >= (int)sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

/* Stops the processes a state directory lists, all at once, and returns
 * as soon as the last one has exited (no fixed grace sleep). */
static int stop_recorded(const char *dir, cleanup_report report, void *arg)
{
	struct proc_stop *procs = NULL;
	size_t n = 0, cap = 0;
	char path[PATH_MAX], name[64];
	unsigned long long st;
	int pid, failed = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/pids", dir) >= (int)sizeof(path))
		return 1;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d %llu", &pid, &st) == 2) {
		/* Start time 0: it was gone when recorded; never by pid alone. */
		if (pid <= 1 || !st)
			continue;
		if (grow((void **)&procs, &cap, n, sizeof(*procs)) < 0) {
			failed++;
			break;
		}
		procs[n++] = (struct proc_stop){ .pid = pid, .starttime = st };
	}
	fclose(f);
	failed += proc_stop_all(procs, n, CLEANUP_GRACE_MS);
	for (size_t i = 0; report && i < n; i++) {
		if (procs[i].how == PROC_GONE)
			continue;
		snprintf(name, sizeof(name), "%d", (int)procs[i].pid);
		report("process", name,
		       procs[i].how < 0	      ? procs[i].how :
		       procs[i].how == PROC_STUCK ? -ETIMEDOUT :
						    0,
		       arg);
	}
	free(procs);
	return failed;
}

static int clean_one(const char *rid, int force, cleanup_report report,
		     void *arg)
{
	char dir[PATH_MAX], prefix[32], **names = NULL;
	int failed = 0, n, e;

	snprintf(dir, sizeof(dir), "%s/%s", RUNID_STATE_DIR, rid);
	if (!force && (owner_alive(dir) || kept(dir))) {
		if (report)
			report(kept(dir) ? "kept" : "skip", rid, 0, arg);
		return 0;
	}
	failed += stop_recorded(dir, report, arg);
	snprintf(prefix, sizeof(prefix), "%s%s-", RUNID_NETNS_PREFIX, rid);
	n = netns_list(prefix, &names);
	for (int i = 0; i < n; i++) {
		e = netns_del(names[i]);
		if (report)
			report("netns", names[i], e, arg);
		if (e < 0 && e != -ENOENT)
			failed++;
	}
	netns_list_free(names);
	e = remove_state_dir(dir);
	if (report && access(dir, F_OK) == 0)
		report("state", dir, e, arg);
	return failed + (e < 0);
}

int cleanup_stale(const char *rid, int force, cleanup_report report,
		  void *arg)
{
	char **names = NULL, seen[1024][RUNID_LEN + 1], r[RUNID_LEN + 1];
	size_t nseen = 0;
	struct dirent *de;
	int failed = 0, n;
	DIR *d;

	if (rid)
		return clean_one(rid, force, report, arg);
	/* Every rid that has a state directory or a namespace. */
	d = opendir(RUNID_STATE_DIR);
	while (d && (de = readdir(d)) && nseen < 1024)
		if (runid_valid(de->d_name))
			memcpy(seen[nseen++], de->d_name, RUNID_LEN + 1);
	if (d)
		closedir(d);
	n = netns_list(RUNID_NETNS_PREFIX, &names);
	for (int i = 0; i < n && nseen < 1024; i++) {
		size_t j;

		if (!runid_of_netns(names[i], r))
			continue;
		for (j = 0; j < nseen && strcmp(seen[j], r); j++)
			;
		if (j == nseen)
			memcpy(seen[nseen++], r, RUNID_LEN + 1);
	}
	netns_list_free(names);
	for (size_t i = 0; i < nseen; i++)
		failed += clean_one(seen[i], force, report, arg);
	return failed;
}
