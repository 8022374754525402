/* rundir: folders and output files of a run. */
#ifndef PUNCHLAB_RUNDIR_H
#define PUNCHLAB_RUNDIR_H

/* mkdir -p path (mode 0755). 0 or -errno. */
int rundir_mkdir_p(const char *path);
/* Opens dir/name for writing (O_CREAT | O_CLOEXEC | flags, mode 0644);
 * the fd, or -1 with errno. */
int rundir_open(const char *dir, const char *name, int flags);

/* rm -r path, symlinks removed, never followed. 0 or -errno. */
int rundir_rm_tree(const char *path);

#endif
