// SPDX-License-Identifier: GPL-2.0
/*
 * serverless-provenance capture module: the same records as the eBPF probe (built by the same
 * include/sp_fill.h), read from /dev/sp_capture. Hooks the raw syscall tracepoints and
 * sched_process_fork/exit found with for_each_kernel_tracepoint (since Linux 6.9 x86 does not
 * dispatch through sys_call_table, so the table is not hooked). Filters by cgroup v2 id and by
 * followed processes, set with ioctls (include/sp_event.h).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/tracepoint.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/fdtable.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/pid_namespace.h>
#include <linux/cgroup.h>
#include <linux/vmalloc.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/ioctl.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#define SP_INLINE static __always_inline
#define sp_read_user(dst, n, src) (copy_from_user_nofault((dst), (const void __user *)(src), (n)) ? -EFAULT : 0)
#define sp_read_user_str(dst, n, src) sp_strncpy_user((char *)(dst), (unsigned long)(src), (n))
#define sp_read_kernel(dst, n, src) (memcpy((dst), (src), (n)), 0)
#define sp_barrier(var) do { } while (0)

/*
 * strncpy_from_user_nofault is not exported to modules: copy in blocks with the exported
 * copy_from_user_nofault, byte by byte near an unreadable page. Same result convention:
 * bytes copied including the NUL (n when cut, the last byte then being a NUL), or -EFAULT.
 */
static long sp_strncpy_user(char *dst, unsigned long src, long n)
{
	long i = 0, j;

	if (n <= 0)
		return 0;
	while (i < n - 1) {
		long blk = min_t(long, 64, n - 1 - i);

		if (copy_from_user_nofault(dst + i, (const void __user *)(src + i), blk)) {
			if (copy_from_user_nofault(dst + i, (const void __user *)(src + i), 1))
				return i ? i : -EFAULT;
			blk = 1;
		}
		for (j = 0; j < blk; j++)
			if (!dst[i + j])
				return i + j + 1;
		i += blk;
	}
	dst[n - 1] = 0;
	return n;
}

#include "sp_fill.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("serverless-provenance syscall capture");

static_assert(sizeof(struct sp_event_hdr) == SP_HDR_SIZE, "sp_event_hdr layout");

#define SP_RING_SIZE (4u << 20)
#define SP_MAX_CGROUPS 64
#define SP_MAX_PIDS 1024
#define SP_START_SLOTS 4096
#define SP_EXEC_SLOTS 16
#define SP_AGG_TASKS 4096

/* ---- filter ------------------------------------------------------------------------------- */

/*
 * A filter set: slots holding a value, 0 = free. Slots below `used` may hold one (it only grows):
 * every system call of every process on the node scans the sets, and an empty set (pids, the
 * usual case) is then no scan at all.
 */
struct sp_set {
	u64 *slot;
	int n;
	int used;
};

static u64 sp_cgroup_slots[SP_MAX_CGROUPS];
static u64 sp_pid_slots[SP_MAX_PIDS];
static struct sp_set sp_cgroups = { sp_cgroup_slots, SP_MAX_CGROUPS };
static struct sp_set sp_pids = { sp_pid_slots, SP_MAX_PIDS };
/* registered subtrees (sp_event.h), same semantics as the probe's sp_subtrees; id 0 is free */
static struct sp_subtree sp_subtrees[SP_MAX_SUBTREES];
static DEFINE_SPINLOCK(sp_filter_lock);

static u64 sp_current_cgroup(void)
{
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	return id;
}

/* Whether the current task's cgroup lies under a registered subtree (its ancestor at that level). */
static bool sp_in_subtree(void)
{
	struct cgroup *cg, *a;
	bool yes = false;
	u64 id;
	u32 level;
	int i;

	rcu_read_lock();
	cg = task_dfl_cgroup(current);
	for (i = 0; i < SP_MAX_SUBTREES && !yes; i++) {
		id = READ_ONCE(sp_subtrees[i].id);
		level = READ_ONCE(sp_subtrees[i].level);
		if (!id || level > (u32)cg->level)
			continue;
		a = cgroup_ancestor(cg, level);
		yes = a && cgroup_id(a) == id;
	}
	rcu_read_unlock();
	return yes;
}

static int sp_set_subtree(const struct sp_subtree *st, bool add)
{
	unsigned long fl;
	int i, rc = add ? -ENOSPC : 0;

	spin_lock_irqsave(&sp_filter_lock, fl);
	for (i = 0; i < SP_MAX_SUBTREES; i++) {
		if (sp_subtrees[i].id == st->id && sp_subtrees[i].level == st->level) {
			if (!add)
				WRITE_ONCE(sp_subtrees[i].id, 0);
			rc = 0;
			break;
		}
	}
	if (add && rc)
		for (i = 0; i < SP_MAX_SUBTREES; i++)
			if (!sp_subtrees[i].id) {
				WRITE_ONCE(sp_subtrees[i].level, st->level);
				WRITE_ONCE(sp_subtrees[i].id, st->id);
				rc = 0;
				break;
			}
	spin_unlock_irqrestore(&sp_filter_lock, fl);
	return rc;
}

/* Whether v is in the set: a lock-free scan of the slots that may be used. */
static bool sp_set_has(struct sp_set *set, u64 v)
{
	int used = smp_load_acquire(&set->used);
	int i;

	for (i = 0; i < used && i < set->n; i++)
		if (READ_ONCE(set->slot[i]) == v)
			return true;
	return false;
}

/* Add v to the set (0, or -ENOSPC when full) or remove it (0 whether or not it was there). */
static int sp_set_update(struct sp_set *set, u64 v, bool add)
{
	unsigned long fl;
	int i, rc = 0;

	if (!v)
		return -EINVAL;
	spin_lock_irqsave(&sp_filter_lock, fl);
	for (i = 0; i < set->used; i++)
		if (set->slot[i] == v) {
			if (add)
				goto out;
			WRITE_ONCE(set->slot[i], 0);
		}
	if (!add)
		goto out;
	for (i = 0; i < set->n && set->slot[i]; i++)
		;
	if (i == set->n) {
		rc = -ENOSPC;
		goto out;
	}
	WRITE_ONCE(set->slot[i], v);
	if (i >= set->used)
		smp_store_release(&set->used, i + 1);
out:
	spin_unlock_irqrestore(&sp_filter_lock, fl);
	return rc;
}

static bool sp_tracked(void)
{
	u64 cg = sp_current_cgroup();

	return (cg && sp_set_has(&sp_cgroups, cg)) || sp_set_has(&sp_pids, current->tgid) || sp_in_subtree();
}

/* ---- ring of records ---------------------------------------------------------------------- */

static u8 *sp_ring;
static u64 sp_head, sp_tail; /* byte counters; position = counter % SP_RING_SIZE */
static DEFINE_SPINLOCK(sp_ring_lock);
static DECLARE_WAIT_QUEUE_HEAD(sp_wq);
static struct sp_stats sp_counters;
static u8 *sp_bounce; /* reader's copy, out of the spinlock */
static DEFINE_MUTEX(sp_read_lock);

static void sp_ring_put(u64 at, const u8 *src, u32 n)
{
	u32 pos = at % SP_RING_SIZE, first = min_t(u32, n, SP_RING_SIZE - pos);

	memcpy(sp_ring + pos, src, first);
	memcpy(sp_ring, src + first, n - first);
}

static void sp_ring_get(u8 *dst, u64 at, u32 n)
{
	u32 pos = at % SP_RING_SIZE, first = min_t(u32, n, SP_RING_SIZE - pos);

	memcpy(dst, sp_ring + pos, first);
	memcpy(dst + first, sp_ring, n - first);
}

static void sp_emit(const u8 *buf, u32 len)
{
	unsigned long fl;

	spin_lock_irqsave(&sp_ring_lock, fl);
	if (SP_RING_SIZE - (sp_head - sp_tail) < len) {
		sp_counters.drops++;
	} else {
		sp_ring_put(sp_head, buf, len);
		sp_head += len;
		sp_counters.events++;
		sp_counters.bytes += len;
	}
	spin_unlock_irqrestore(&sp_ring_lock, fl);
	if (wq_has_sleeper(&sp_wq))
		wake_up_interruptible(&sp_wq);
}

/* ---- per-task state between syscall entry and exit --------------------------------------- */

struct sp_start_slot {
	u32 pid;
	s32 nr;
	u64 ts;
};
static struct sp_start_slot sp_starts[SP_START_SLOTS];

struct sp_exec_slot {
	u32 pid;
	struct sp_exec_stash st;
};
static struct sp_exec_slot *sp_execs;
static DEFINE_SPINLOCK(sp_exec_lock);

static u8 __percpu *sp_scratch;

static void sp_task_header(struct sp_event_hdr *h, u64 now)
{
	h->ts_ns = now;
	h->duration_ns = 0;
	h->cgroup_id = sp_current_cgroup();
	h->pid = current->pid;
	h->tgid = current->tgid;
	rcu_read_lock();
	h->ppid = rcu_dereference(current->real_parent)->tgid;
	rcu_read_unlock();
	h->ret = 0;
	memcpy(h->comm, current->comm, sizeof(h->comm));
}

/* ---- summed repeats (IO_REPEAT): per thread, in a table indexed by thread id ---------------- */

struct sp_agg_task {
	spinlock_t lock;
	/* the thread counting here, and what its records' headers say */
	u32 pid, tgid, ppid;
	u64 cgroup_id;
	char comm[16];
	u8 evict;
	u8 stdio_open; /* bit fd (0-2): a kept stdio write left a line open there (sp_markers.h) */
	struct sp_agg agg[SP_AGG_SLOTS];
};
static struct sp_agg_task *sp_aggs;

static struct sp_agg_task *sp_agg_of(u32 pid)
{
	return &sp_aggs[pid % SP_AGG_TASKS];
}

/* Emit the entry's pending repeats under its own thread's header. Called with t->lock held. */
static void sp_agg_flush_locked(struct sp_agg_task *t)
{
	int i;

	for (i = 0; i < SP_AGG_SLOTS; i++) {
		struct sp_agg *a = &t->agg[i];
		struct sp_builder b;
		struct sp_event_hdr *h;

		if (!a->count)
			continue;
		b = (struct sp_builder){ .buf = get_cpu_ptr(sp_scratch) };
		h = (struct sp_event_hdr *)b.buf;
		h->ts_ns = a->last_ns;
		h->duration_ns = 0;
		h->cgroup_id = t->cgroup_id;
		h->pid = t->pid;
		h->tgid = t->tgid;
		h->ppid = t->ppid;
		memcpy(h->comm, t->comm, sizeof(h->comm));
		sp_fill_repeat(&b, h, a);
		sp_emit(b.buf, sp_finish(&b, h));
		put_cpu_ptr(sp_scratch);
	}
}

/* The current thread's pending repeats, emitted before what it records next; release: it is exiting. */
static void sp_agg_flush_current(bool release)
{
	struct sp_agg_task *t = sp_agg_of(current->pid);
	unsigned long fl;

	if (READ_ONCE(t->pid) != current->pid)
		return;
	spin_lock_irqsave(&t->lock, fl);
	if (t->pid == current->pid) {
		sp_agg_flush_locked(t);
		if (release)
			t->pid = 0;
	}
	spin_unlock_irqrestore(&t->lock, fl);
}

/* The entry is the current thread's from now on: another thread's (same id modulo the table size) is emitted first. Called with t->lock held. */
static void sp_agg_claim_locked(struct sp_agg_task *t)
{
	if (t->pid == current->pid)
		return;
	sp_agg_flush_locked(t);
	memset(t->agg, 0, sizeof(t->agg));
	t->stdio_open = 0;
	t->pid = current->pid;
}

/*
 * A read or write the current thread may sum: 1 when counted, 0 when it is to be recorded in
 * full (the pending repeats are emitted first and a slot is armed for the ones that follow).
 * quiet (a stdio write that carries no marker, sp_markers.h): counted from the first one on, so
 * always 1.
 */
static int sp_agg_io(int ev, int fd, long nr, s64 ret, u64 now, bool quiet)
{
	struct sp_agg_task *t = sp_agg_of(current->pid);
	unsigned long fl;
	int counted;

	spin_lock_irqsave(&t->lock, fl);
	sp_agg_claim_locked(t);
	counted = sp_agg_count(t->agg, ev, fd, nr, ret, now);
	if (!counted) {
		sp_agg_flush_locked(t);
		sp_agg_arm(t->agg, &t->evict, ev, fd);
		if (quiet)
			counted = sp_agg_count(t->agg, ev, fd, nr, ret, now);
		/* the header of the repeats to come (comm changes at exec) */
		t->tgid = current->tgid;
		t->cgroup_id = sp_current_cgroup();
		rcu_read_lock();
		t->ppid = rcu_dereference(current->real_parent)->tgid;
		rcu_read_unlock();
		memcpy(t->comm, current->comm, sizeof(t->comm));
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return counted;
}

/* Whether stdio fd goes to /dev/null: a marker written there is summed too (sp_stdio_null in the probe). */
static bool sp_stdio_null(int fd)
{
	struct file *f;
	bool devnull = false;

	rcu_read_lock();
	f = files_lookup_fd_rcu(current->files, fd);
	if (f) {
		struct inode *i = file_inode(f);

		devnull = S_ISCHR(i->i_mode) && i->i_rdev == MKDEV(1, 3);
	}
	rcu_read_unlock();
	return devnull;
}

/* Whether a kept stdio write of the current thread left a line open on fd (0 for a thread with no entry). */
static bool sp_stdio_open(int fd)
{
	struct sp_agg_task *t = sp_agg_of(current->pid);

	return READ_ONCE(t->pid) == current->pid && (READ_ONCE(t->stdio_open) & (1u << (fd & 3)));
}

/*
 * Markers only (sp_markers.h, as sp_stdio_quiet in the probe): whether a stdio write is summed with
 * no record of its own. Asked before the /dev/null test, as in the probe.
 */
static bool sp_stdio_quiet(long nr, const u64 *a, s64 ret)
{
	struct sp_data_src src;

	if (sp_stdio_open((int)a[0]))
		return false;
	sp_rw_src(&src, nr, a);
	return !sp_stdio_marked(&src, ret);
}

/* A stdio write was kept whole: whether the thread's next writes to that fd go on with its line. */
static void sp_stdio_note_line(const struct sp_data_src *src, s64 ret, int fd)
{
	struct sp_agg_task *t = sp_agg_of(current->pid);
	u8 bit = 1u << (fd & 3);
	bool open;
	unsigned long fl;

	if (ret <= 0)
		return;
	open = sp_stdio_line_open(src, ret);
	if (!open && !sp_stdio_open(fd))
		return; /* nothing to clear: no entry taken for it */
	spin_lock_irqsave(&t->lock, fl);
	sp_agg_claim_locked(t);
	if (open)
		t->stdio_open |= bit;
	else
		t->stdio_open &= ~bit;
	spin_unlock_irqrestore(&t->lock, fl);
}

static void sp_sys_enter(void *data, struct pt_regs *regs, long id)
{
	struct sp_start_slot *s;
	unsigned long args[6];
	int ev;

	ev = sp_syscall_event(id);
	if (ev == SP_EV_NONE || !sp_tracked())
		return;
	syscall_get_arguments(current, regs, args);
	if (ev == SP_EV_EXIT_GROUP) {
		/* exit_group never returns: emit now */
		struct sp_builder b = { .buf = get_cpu_ptr(sp_scratch) };
		struct sp_event_hdr *h = (struct sp_event_hdr *)b.buf;
		struct sp_data_src src;
		u64 a[6] = { args[0] };

		sp_agg_flush_current(false);
		sp_task_header(h, ktime_get_boottime_ns());
		sp_fill_syscall(&b, h, id, a, 0, NULL, &src);
		sp_emit(b.buf, sp_finish(&b, h));
		put_cpu_ptr(sp_scratch);
		return;
	}
	if (ev == SP_EV_EXECVE) {
		unsigned long fl;
		int i, slot = 0;

		spin_lock_irqsave(&sp_exec_lock, fl);
		for (i = 0; i < SP_EXEC_SLOTS; i++)
			if (sp_execs[i].pid == current->pid || !sp_execs[i].pid) {
				slot = i;
				break;
			}
		sp_execs[slot].pid = current->pid;
		if (id == __NR_execveat)
			sp_stash_exec(&sp_execs[slot].st, args[1], args[2]);
		else
			sp_stash_exec(&sp_execs[slot].st, args[0], args[1]);
		spin_unlock_irqrestore(&sp_exec_lock, fl);
	}
	s = &sp_starts[current->pid % SP_START_SLOTS];
	WRITE_ONCE(s->pid, current->pid);
	WRITE_ONCE(s->nr, (s32)id);
	WRITE_ONCE(s->ts, ktime_get_boottime_ns());
}

static void sp_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	long nr = syscall_get_nr(current, regs);
	int ev = sp_syscall_event(nr);
	struct sp_start_slot *s;
	struct sp_exec_stash *ex = NULL;
	struct sp_data_src src;
	struct sp_builder b;
	struct sp_event_hdr *h;
	unsigned long args[6], fl = 0;
	u64 a[6], now, t0 = 0;
	int i, exec_slot = -1;
	bool quiet = false, sum = false;

	if (ev == SP_EV_NONE || !sp_tracked())
		return;
	s = &sp_starts[current->pid % SP_START_SLOTS];
	if (READ_ONCE(s->pid) == current->pid && READ_ONCE(s->nr) == nr)
		t0 = READ_ONCE(s->ts);
	WRITE_ONCE(s->pid, 0);
	if (sp_nothing_moved(ev, ret))
		return;
	syscall_get_arguments(current, regs, args);
	for (i = 0; i < 6; i++)
		a[i] = args[i];
	now = ktime_get_boottime_ns();
	if ((ev == SP_EV_READ || ev == SP_EV_WRITE) && ret >= 0) {
		/* reads and writes are summed, but a stdio write only when it carries no marker (counted from
		 * the first one on, never recorded itself) or goes to /dev/null (the first one of a run recorded) */
		sum = ev == SP_EV_READ || !sp_is_stdio_fd((int)a[0]);
		quiet = !sum && sp_stdio_quiet(nr, a, ret);
		if (!sum && !quiet)
			sum = sp_stdio_null((int)a[0]);
	}
	if (sum || quiet) {
		if (sp_agg_io(ev, (int)a[0], nr, ret, now, quiet))
			return;
	} else {
		sp_agg_flush_current(false);
	}
	if (ev == SP_EV_EXECVE) {
		spin_lock_irqsave(&sp_exec_lock, fl);
		for (i = 0; i < SP_EXEC_SLOTS; i++)
			if (sp_execs[i].pid == current->pid) {
				exec_slot = i;
				ex = &sp_execs[i].st;
				break;
			}
	}
	b = (struct sp_builder){ .buf = get_cpu_ptr(sp_scratch) };
	h = (struct sp_event_hdr *)b.buf;
	sp_task_header(h, now);
	h->duration_ns = t0 ? now - t0 : 0;
	h->ret = ret;
	sp_fill_syscall(&b, h, nr, a, ret, ex, &src);
	if (ev == SP_EV_EXECVE) {
		if (exec_slot >= 0)
			sp_execs[exec_slot].pid = 0;
		spin_unlock_irqrestore(&sp_exec_lock, fl);
	}
	sp_emit(b.buf, sp_finish(&b, h));
	if (b.rflags & SP_RF_MORE) {
		for (i = 1; i < SP_STDIO_MAX / SP_CHUNK; i++) {
			int last = sp_fill_chunk(&b, h, &src, (u64)i * SP_CHUNK, ret);

			sp_emit(b.buf, sp_finish(&b, h));
			if (last)
				break;
		}
	}
	put_cpu_ptr(sp_scratch);
	if (ev == SP_EV_WRITE && !sum && sp_is_stdio_fd((int)a[0]))
		sp_stdio_note_line(&src, ret, (int)a[0]);
}

/* Starts a record that is not built at a syscall's exit (fork, exit): no syscall number, fd or flags. */
static struct sp_event_hdr *sp_proc_event(struct sp_builder *b, int type)
{
	struct sp_event_hdr *h = (struct sp_event_hdr *)b->buf;

	sp_task_header(h, ktime_get_boottime_ns());
	h->type = type;
	h->syscall_nr = -1;
	h->fd = -1;
	h->flags = 0;
	b->rflags = 0;
	return h;
}

static void sp_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct sp_builder b;
	struct sp_event_hdr *h;

	if (!sp_tracked())
		return;
	sp_agg_flush_current(false);
	if (child->pid == child->tgid)
		sp_set_update(&sp_pids, child->tgid, true);
	b = (struct sp_builder){ .buf = get_cpu_ptr(sp_scratch) };
	h = sp_proc_event(&b, SP_EV_PROC_FORK);
	/* the child's pid in its own (innermost) pid namespace, as the probe reads it */
	sp_fill_proc_fork(&b, child->pid, child->tgid, pid_nr_ns(task_pid(child), task_active_pid_ns(child)));
	sp_emit(b.buf, sp_finish(&b, h));
	put_cpu_ptr(sp_scratch);
}

static void sp_exit(void *data, struct task_struct *p)
{
	struct sp_builder b;
	struct sp_event_hdr *h;

	if (!sp_tracked())
		return;
	sp_agg_flush_current(true); /* p is the current task */
	b = (struct sp_builder){ .buf = get_cpu_ptr(sp_scratch) };
	h = sp_proc_event(&b, SP_EV_PROC_EXIT);
	sp_fill_proc_exit(&b, p->exit_code);
	sp_emit(b.buf, sp_finish(&b, h));
	put_cpu_ptr(sp_scratch);
	if (p->pid == p->tgid)
		sp_set_update(&sp_pids, p->tgid, false);
}

/* ---- tracepoints -------------------------------------------------------------------------- */

struct sp_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct sp_hook sp_hooks[] = {
	{ "sys_enter", sp_sys_enter },
	{ "sys_exit", sp_sys_exit },
	{ "sched_process_fork", sp_fork },
	{ "sched_process_exit", sp_exit },
};

static void sp_find_tp(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sp_hooks); i++)
		if (!strcmp(tp->name, sp_hooks[i].name))
			sp_hooks[i].tp = tp;
}

static void sp_unhook(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sp_hooks); i++)
		if (sp_hooks[i].registered) {
			tracepoint_probe_unregister(sp_hooks[i].tp, sp_hooks[i].probe, NULL);
			sp_hooks[i].registered = false;
		}
	tracepoint_synchronize_unregister();
}

static int sp_hook(void)
{
	int i, rc;

	for_each_kernel_tracepoint(sp_find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(sp_hooks); i++) {
		if (!sp_hooks[i].tp) {
			pr_err("sp_capture: tracepoint %s not found\n", sp_hooks[i].name);
			sp_unhook();
			return -ENOENT;
		}
		rc = tracepoint_probe_register(sp_hooks[i].tp, sp_hooks[i].probe, NULL);
		if (rc) {
			pr_err("sp_capture: cannot hook %s: %d\n", sp_hooks[i].name, rc);
			sp_unhook();
			return rc;
		}
		sp_hooks[i].registered = true;
	}
	return 0;
}

/* ---- device ------------------------------------------------------------------------------- */

#define SP_BOUNCE_SIZE (1u << 20)

static ssize_t sp_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	unsigned long fl;
	size_t out = 0;
	ssize_t rc;

	if (!(f->f_flags & O_NONBLOCK)) {
		rc = wait_event_interruptible(sp_wq, READ_ONCE(sp_head) != READ_ONCE(sp_tail));
		if (rc)
			return rc;
	}
	count = min_t(size_t, count, SP_BOUNCE_SIZE);
	mutex_lock(&sp_read_lock);
	spin_lock_irqsave(&sp_ring_lock, fl);
	while (sp_head != sp_tail) {
		u32 len;

		sp_ring_get((u8 *)&len, sp_tail, sizeof(len));
		if (out + len > count)
			break;
		sp_ring_get(sp_bounce + out, sp_tail, len);
		sp_tail += len;
		out += len;
	}
	spin_unlock_irqrestore(&sp_ring_lock, fl);
	if (out == 0 && sp_head != sp_tail) {
		rc = -EINVAL; /* the buffer cannot hold one record */
	} else if (out == 0) {
		rc = -EAGAIN;
	} else {
		rc = copy_to_user(ubuf, sp_bounce, out) ? -EFAULT : (ssize_t)out;
	}
	mutex_unlock(&sp_read_lock);
	return rc;
}

static __poll_t sp_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &sp_wq, wait);
	return READ_ONCE(sp_head) != READ_ONCE(sp_tail) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long sp_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	u64 v64;
	u32 v32;
	struct sp_stats st;
	struct sp_subtree sub;
	unsigned long fl;

	switch (cmd) {
	case SP_IOC_ADD_CGROUP:
	case SP_IOC_DEL_CGROUP:
		if (copy_from_user(&v64, (void __user *)arg, sizeof(v64)))
			return -EFAULT;
		return sp_set_update(&sp_cgroups, v64, cmd == SP_IOC_ADD_CGROUP);
	case SP_IOC_ADD_SUBTREE:
	case SP_IOC_DEL_SUBTREE:
		if (copy_from_user(&sub, (void __user *)arg, sizeof(sub)))
			return -EFAULT;
		if (!sub.id)
			return -EINVAL;
		return sp_set_subtree(&sub, cmd == SP_IOC_ADD_SUBTREE);
	case SP_IOC_ADD_PID:
		if (copy_from_user(&v32, (void __user *)arg, sizeof(v32)))
			return -EFAULT;
		return sp_set_update(&sp_pids, v32, true);
	case SP_IOC_STATS:
		spin_lock_irqsave(&sp_ring_lock, fl);
		st = sp_counters;
		spin_unlock_irqrestore(&sp_ring_lock, fl);
		return copy_to_user((void __user *)arg, &st, sizeof(st)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sp_fops = {
	.owner = THIS_MODULE,
	.read = sp_read,
	.poll = sp_poll,
	.unlocked_ioctl = sp_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sp_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = SP_DEVICE_NAME,
	.fops = &sp_fops,
	.mode = 0600,
};

static int __init sp_init(void)
{
	int rc = -ENOMEM, i;

	sp_ring = vmalloc(SP_RING_SIZE);
	sp_bounce = vmalloc(SP_BOUNCE_SIZE);
	sp_execs = kcalloc(SP_EXEC_SLOTS, sizeof(*sp_execs), GFP_KERNEL);
	sp_scratch = __alloc_percpu(SP_SCRATCH_SIZE, 8);
	sp_aggs = vzalloc(SP_AGG_TASKS * sizeof(*sp_aggs));
	if (!sp_ring || !sp_bounce || !sp_execs || !sp_scratch || !sp_aggs)
		goto fail;
	for (i = 0; i < SP_AGG_TASKS; i++)
		spin_lock_init(&sp_aggs[i].lock);
	rc = misc_register(&sp_dev);
	if (rc)
		goto fail;
	rc = sp_hook();
	if (rc) {
		misc_deregister(&sp_dev);
		goto fail;
	}
	pr_info("sp_capture: loaded, record version %d, /dev/%s\n", SP_EVENT_VERSION, SP_DEVICE_NAME);
	return 0;
fail:
	vfree(sp_ring);
	vfree(sp_bounce);
	kfree(sp_execs);
	free_percpu(sp_scratch);
	vfree(sp_aggs);
	return rc;
}

static void __exit sp_cleanup(void)
{
	sp_unhook();
	misc_deregister(&sp_dev);
	vfree(sp_ring);
	vfree(sp_bounce);
	kfree(sp_execs);
	free_percpu(sp_scratch);
	vfree(sp_aggs);
	pr_info("sp_capture: unloaded (%llu events, %llu drops)\n", sp_counters.events, sp_counters.drops);
}

module_init(sp_init);
module_exit(sp_cleanup);
