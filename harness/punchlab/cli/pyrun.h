/* pyrun: the Python scripts of harness/py/, run by /usr/bin/python3. */
#ifndef PUNCHLAB_PYRUN_H
#define PUNCHLAB_PYRUN_H

/* Replaces the process with /usr/bin/python3 harness/py/SCRIPT ARGS;
 * returns only on failure (an exit code). */
int pyrun_exec(const char *script, int argc, char **argv);
/* Same in a child; returns its exit code. */
int pyrun_wait(const char *script, int argc, char **argv);

#endif
