/* rt: SCHED_FIFO for the few processes whose wake-ups are measurements —
 * an agent from its registration to its connection, the coordinator and
 * punch-shaper all along — bounded by RLIMIT_RTTIME (a process that runs
 * that long without blocking gets SIGXCPU, on which it drops back to the
 * normal scheduler) and by the kernel's RT throttling
 * (sched_rt_runtime_us), which is left as the machine has it. */
#ifndef PUNCHLAB_RT_H
#define PUNCHLAB_RT_H

/* The shaper above all: a packet held past its release time delays a
 * trial that is already running; the coordinator above the agents, as
 * its replies set their start times. */
#define RT_PRIO_AGENT 10
#define RT_PRIO_COORD 15
#define RT_PRIO_SHAPER 20

enum rt_state {
	RT_OFF,		/* not asked for (realtime = off) */
	RT_FIFO,	/* running under SCHED_FIFO */
	RT_UNAVAILABLE, /* asked for, refused (no CAP_SYS_NICE, cgroup) */
	RT_DEMOTED,	/* had it, ran past RLIMIT_RTTIME, back to CFS */
};

/* Sets RLIMIT_RTTIME to rttime_ms of CPU without blocking (soft; hard
 * twice that) and SCHED_FIFO at prio for the calling process. RT_FIFO,
 * or RT_UNAVAILABLE with nothing changed (*err: -errno, may be NULL). */
enum rt_state rt_enter(int prio, unsigned rttime_ms, int *err);
/* Back to SCHED_OTHER (nice 0). */
void rt_leave(void);
/* 1 once SIGXCPU has demoted this process (rt_enter's handler). */
int rt_demoted(void);
/* 1 when this process could run under SCHED_FIFO (asked in a child, so
 * nothing of the caller changes), else 0. */
int rt_available(void);
/* "off", "fifo", "unavailable", "demoted" */
const char *rt_state_name(enum rt_state s);

#endif
