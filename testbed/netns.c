/* netns: named network namespaces pinned by bind mounts under /run/netns, so
 * `ip netns` sees ours and we see its; creating one never moves the caller. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "log.h"
#include "netns.h"

#define NETNS_PATH_MAX (sizeof(NETNS_RUN_DIR "/") + NAME_MAX)
#define NETNS_SYSCTL_KEY_MAX 256
#define NETNS_SYSCTL_VALUE_MAX 256

/* A name is one path component: no '/', not "." or "..", fits NAME_MAX. */
static int netns_path(const char *name, char path[NETNS_PATH_MAX])
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, NAME_MAX + 1);
	if (len == 0 || len > NAME_MAX || strchr(name, '/') ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	memcpy(path, NETNS_RUN_DIR "/", sizeof(NETNS_RUN_DIR "/") - 1);
	memcpy(path + sizeof(NETNS_RUN_DIR "/") - 1, name, len + 1);
	return 0;
}

/* As iproute2 does: the pins must propagate to every mount namespace that
 * shares /run/netns, or a process started with its own mount namespace
 * would see empty files. A directory that is not yet a mount point is made
 * one by binding it onto itself. */
static int netns_run_dir_shared(void)
{
	int bound = 0;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return -errno;
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL) < 0)
			return -errno;
		bound = 1;
	}
	return 0;
}

/* unshare() in a child rather than here: the calling thread keeps its
 * namespace and no other thread can observe it switching. The child uses
 * only syscalls, so this is safe in a threaded process too, and so it can
 * be a vfork() child: it borrows our memory while we wait instead of
 * copying our page tables (0.39 ms instead of 0.5-0.7 ms per namespace
 * here, most of the rest being the kernel's unshare). */
static int netns_pin_new(const char *path)
{
	int status;
	pid_t pid;

	pid = vfork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(errno);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(errno);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

int netns_add(const char *name)
{
	char path[NETNS_PATH_MAX];
	int ret;
	int fd;

	ret = netns_path(name, path);
	if (ret)
		return ret;
	ret = netns_run_dir_shared();
	if (ret) {
		log_warnx("netns %s: cannot share %s: %s", name, NETNS_RUN_DIR,
			  strerror(-ret));
		return ret;
	}
	/* O_EXCL makes the name the lock: two runs never share a namespace. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);

	ret = netns_pin_new(path);
	if (ret)
		goto err_pin;
	return 0;

err_pin:
	umount2(path, MNT_DETACH);
	unlink(path);
	return ret;
}

int netns_del(const char *name)
{
	char path[NETNS_PATH_MAX];
	int ret;

	ret = netns_path(name, path);
	if (ret)
		return ret;
	/* EINVAL: not a mount point, e.g. left by a crash between the create
	 * and the bind; the file still has to go. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int netns_open(const char *name)
{
	char path[NETNS_PATH_MAX];
	int ret;
	int fd;

	ret = netns_path(name, path);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_self(void)
{
	/* thread-self, not self: /proc/self is the main thread's view. */
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_enter(int fd)
{
	if (fd < 0)
		return -EBADF;
	return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

/* Dotted key to path, as sysctl(8): '.' separates, '/' stands for a '.'
 * inside a component (net.ipv4.conf.eth0/100.forwarding). Only net.* is
 * accepted: other trees are global, and a write there would leak out of the
 * testbed's namespaces into the host. */
static int netns_sysctl_path(const char *key, char *path, size_t size)
{
	static const char root[] = "/proc/sys/";
	size_t len, clen, i;
	const char *comp;
	char *p;

	if (!key)
		return -EINVAL;
	len = strnlen(key, NETNS_SYSCTL_KEY_MAX);
	if (len == 0 || len >= NETNS_SYSCTL_KEY_MAX ||
	    strncmp(key, "net.", 4) != 0 || sizeof(root) + len > size)
		return -EINVAL;
	memcpy(path, root, sizeof(root) - 1);
	p = path + sizeof(root) - 1;
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (c == '.')
			c = '/';
		else if (c == '/')
			c = '.';
		else if (!(c == '_' || c == '-' || (c >= '0' && c <= '9') ||
			   (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return -EINVAL;
		p[i] = c;
	}
	p[len] = '\0';
	/* Every component must name something below: no "", "." or "..". */
	for (comp = p;; comp += clen + 1) {
		clen = strcspn(comp, "/");
		if (clen == 0 || (clen == 1 && comp[0] == '.') ||
		    (clen == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (comp[clen] == '\0')
			break;
	}
	return 0;
}

static int netns_sysctl_write(int dir, const char *key, const char *value)
{
	char path[sizeof("/proc/sys/") + NETNS_SYSCTL_KEY_MAX];
	const char *rel = path;
	size_t len;
	ssize_t n;
	int ret;
	int fd;

	ret = netns_sysctl_path(key, path, sizeof(path));
	if (ret)
		return ret;
	if (!value)
		return -EINVAL;
	len = strnlen(value, NETNS_SYSCTL_VALUE_MAX);
	if (len == 0 || len >= NETNS_SYSCTL_VALUE_MAX)
		return -EINVAL;
	if (dir >= 0)
		rel = path + sizeof("/proc/sys/net/") - 1;

	/* The file resolves to the namespace of this thread at open time. */
	fd = openat(dir >= 0 ? dir : AT_FDCWD, rel, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, value, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

int netns_sysctl(const char *key, const char *value)
{
	return netns_sysctl_write(-1, key, value);
}

int netns_sysctl_at(int dir, const char *key, const char *value)
{
	return dir < 0 ? -EBADF : netns_sysctl_write(dir, key, value);
}

static int netns_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int netns_list(const char *prefix, char ***names)
{
	size_t plen;
	size_t count = 0, cap = 8;
	struct dirent *de;
	char **list, **grown;
	DIR *dir;
	int ret;

	if (!names)
		return -EINVAL;
	if (!prefix)
		prefix = "";
	plen = strlen(prefix);
	list = calloc(cap + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	dir = opendir(NETNS_RUN_DIR);
	if (!dir) {
		/* Never created: no namespaces, not an error. */
		if (errno == ENOENT)
			goto out_sort;
		ret = -errno;
		goto err_list;
	}
	for (errno = 0; (de = readdir(dir)); errno = 0) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, plen))
			continue;
		if (count == cap) {
			if (cap > INT_MAX / 2) {
				ret = -EOVERFLOW;
				goto err_dir;
			}
			grown = realloc(list, (cap * 2 + 1) * sizeof(*list));
			if (!grown) {
				ret = -ENOMEM;
				goto err_dir;
			}
			list = grown;
			cap *= 2;
		}
		list[count] = strdup(de->d_name);
		if (!list[count]) {
			ret = -ENOMEM;
			goto err_dir;
		}
		list[++count] = NULL;
	}
	if (errno) {
		ret = -errno;
		goto err_dir;
	}
	closedir(dir);
out_sort:
	qsort(list, count, sizeof(*list), netns_name_cmp);
	list[count] = NULL;
	*names = list;
	return (int)count;

err_dir:
	closedir(dir);
err_list:
	netns_list_free(list);
	return ret;
}

void netns_list_free(char **names)
{
	char **p;

	if (!names)
		return;
	for (p = names; *p; p++)
		free(*p);
	free(names);
}
