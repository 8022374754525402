/* cleanup: registry of a run's namespaces and processes, in memory and in
 * /run/punchlab/<rid>/ (owner, pids) for `punchlab clean`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "netns.h"
#include "proc.h"
#include "runid.h"

struct cleanup {
	char rid[RUNID_LEN + 1];
	char dir[PATH_MAX];
	char **netns;
	size_t nnetns, cap_netns;
	pid_t *pids;
	size_t npids, cap_pids;
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
	char line[64];

	if (grow((void **)&c->pids, &c->cap_pids, c->npids,
		 sizeof(*c->pids)) < 0)
		return -ENOMEM;
	c->pids[c->npids++] = pid;
	snprintf(line, sizeof(line), "%d %llu\n", (int)pid,
		 proc_starttime(pid));
	return append_line(c->dir, "pids", line);
}

void cleanup_reaped(struct cleanup *c, pid_t pid)
{
	for (size_t i = 0; i < c->npids; i++) {
		if (c->pids[i] == pid) {
			c->pids[i] = c->pids[--c->npids];
			return;
		}
	}
}

static int remove_state_dir(const char *dir)
{
	char path[PATH_MAX];
	static const char *const files[] = { "owner", "pids", "kept", NULL };

	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

int cleanup_run(struct cleanup *c)
{
	int failed = 0, e;

	if (!c)
		return 0;
	/* Signal all first, then wait: stopping them one by one would cost
	 * a grace period each. */
	for (size_t i = 0; i < c->npids; i++)
		kill(c->pids[i], SIGTERM);
	for (size_t i = 0; i < c->npids; i++) {
		e = proc_stop(c->pids[i], 1000);
		if (e < 0 && e != -ECHILD)
			failed++;
	}
	c->npids = 0;
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
	free(c->pids);
	free(c);
}

void cleanup_free(struct cleanup *c)
{
	if (!c)
		return;
	cleanup_run(c);
	free(c->netns);
	free(c->pids);
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

static int stop_recorded(const char *dir, cleanup_report report, void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	char path[PATH_MAX], name[64];
	unsigned long long st;
	int pid, failed = 0, pass;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/pids", dir) >= (int)sizeof(path))
		return 1;
	/* Pass 0 sends SIGTERM, pass 1 SIGKILL to whatever is left. */
	for (pass = 0; pass < 2; pass++) {
		f = fopen(path, "re");
		if (!f)
			return 0;
		while (fscanf(f, "%d %llu", &pid, &st) == 2) {
			int e;

			if (proc_zombie(pid))
				continue; /* already dead */
			e = proc_kill_checked(pid, st,
						  pass ? SIGKILL : SIGTERM);
			if (e == -ESRCH)
				continue;
			snprintf(name, sizeof(name), "%d", pid);
			if (pass == 0 && report)
				report("process", name, e, arg);
			if (e < 0)
				failed++;
		}
		fclose(f);
		if (pass == 0)
			nanosleep(&ts, NULL);
	}
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
