// SPDX-License-Identifier: GPL-2.0
/*
 * serverless-provenance CO-RE probe: the raw sys_exit tracepoint (sys_enter too when durations are
 * asked for), process fork/exec/exit, filtered in the kernel by cgroup id (the container) and by
 * followed processes; one record per syscall, built at exit, except repeated reads and writes of
 * one fd, which are counted in the thread's storage and sent as one IO_REPEAT (sp_event.h), into
 * a ring buffer. Stdio writes keep their bytes only when they may carry an activation marker
 * (sp_markers.h); the others are counted like file writes.
 * The record format and the per-syscall parameters are shared with the kernel module
 * (include/sp_fill.h); only the task fields and the transport differ.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <asm/unistd_64.h>

#define SP_INLINE static __always_inline
#define sp_read_user(dst, n, src) bpf_probe_read_user((dst), (n), (src))
#define sp_read_user_str(dst, n, src) bpf_probe_read_user_str((dst), (n), (src))
#define sp_read_kernel(dst, n, src) bpf_probe_read_kernel((dst), (n), (src))
#define sp_barrier(var) asm volatile("" : "+r"(var))
#include "sp_fill.h"

char LICENSE[] SEC("license") = "GPL";

/* The struct is emitted into BTF so that the layout test can compare it with sp_event.h. */
struct sp_event_hdr sp_hdr_btf_anchor __attribute__((unused));

struct sp_counters {
	__u64 events;
	__u64 drops;
	__u64 bytes;
};

/*
 * Per-thread state, in task-local storage (freed with the task): created only for captured
 * tasks, so for every other task on the node the lookup is one NULL pointer test.
 */
struct sp_task {
	__u64 enter_ns;   /* with durations: this syscall's entry time */
	__s64 enter_nr1;  /* with durations: its number + 1 (0: none) */
	__u32 gen;        /* sp_filter_gen when `tracked` was decided */
	__u8 tracked;
	__u8 followed;    /* forked from a captured task: captured wherever it goes */
	__u8 evict;       /* the slot to reuse next */
	__u8 stdio_null;  /* whether stdio_file is /dev/null */
	__u8 stdio_open;  /* bit fd (0-2): a kept stdio write left a line open there (sp_markers.h) */
	/* the struct file last looked at behind a stdio fd (0: none); forgotten at any other event */
	__u64 stdio_file;
	struct sp_agg agg[SP_AGG_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} sp_ring SEC(".maps");

/* Containers to capture: cgroup v2 id -> 1 (the whole set; sp_cgslots is the fast path). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} sp_cgroups SEC(".maps");

/*
 * The same set direct-mapped, slot = id % SP_CG_SLOTS, holding the id, 0, or SP_CG_COLLIDED when
 * several ids share the slot (then sp_cgroups decides). A global array, not an array map: every
 * process on the node looks here on every system call, and a global is read with one masked load,
 * where even an inlined map lookup goes through the stack. User space (loader/sp_capture_bpf.c)
 * keeps it in step with sp_cgroups through the mmapped .bss.
 */
__u64 sp_cgslots[SP_CG_SLOTS];

/*
 * Cgroups found under no registered subtree and not captured, direct-mapped like sp_cgslots: the
 * cgroup id in the low 48 bits and the sp_filter_gen it was found under in the high 16, one word,
 * so that concurrent stores are never torn. With a subtree registered (the agent on a Docker node),
 * a task no BPF program gave storage to would otherwise pay the subtree test (a helper call per
 * subtree) on every captured syscall type. Cgroups never move, so the answer holds until the
 * filter changes, and user space bumps sp_filter_gen after every change.
 */
__u64 sp_outside[SP_CG_SLOTS];
#define SP_OUTSIDE_ID_BITS 48

/* Registered subtrees (sp_event.h); slots 0..sp_subtrees_n-1 are looked at, id 0 is a free slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_MAX_SUBTREES);
	__type(key, __u32);
	__type(value, struct sp_subtree);
} sp_subtrees SEC(".maps");

/* Processes added by pid from user space (their children are followed). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} sp_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sp_task);
} sp_tasks SEC(".maps");

struct sp_scratch_buf {
	__u8 b[SP_SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct sp_scratch_buf);
} sp_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_counters);
} sp_stats SEC(".maps");

/* Set by user space once it has added a pid to sp_pids: until then that lookup is skipped. */
volatile __u32 sp_pids_added = 0;
/* Bumped by user space when a cgroup leaves the filter: tasks decide again whether they are captured. */
volatile __u32 sp_filter_gen = 0;
/* Slots of sp_subtrees in use (0: none, and then the subtree test costs nothing). */
volatile __u32 sp_subtrees_n = 0;
/* Set at load: also attach sys_enter, for per-syscall durations and exit_group at entry (costs every syscall). */
const volatile __u8 sp_durations = 0;

SP_INLINE int sp_cgroup_captured(__u64 cg)
{
	__u64 v = sp_cgslots[cg & (SP_CG_SLOTS - 1)];

	if (v == cg)
		return v != 0;
	return v == SP_CG_COLLIDED && bpf_map_lookup_elem(&sp_cgroups, &cg) != 0;
}

/* Whether the current task's cgroup lies in a registered subtree (its ancestor at that level is it). */
SP_INLINE int sp_in_subtree(void)
{
	__u32 n = sp_subtrees_n;
	__u32 i;

	for (i = 0; i < SP_MAX_SUBTREES; i++) {
		struct sp_subtree *st;
		__u32 k = i;

		if (i >= n)
			break;
		st = bpf_map_lookup_elem(&sp_subtrees, &k);
		if (st && st->id && bpf_get_current_ancestor_cgroup_id(st->level) == st->id)
			return 1;
	}
	return 0;
}

/* The task's cgroup v2 id (what bpf_get_current_cgroup_id returns), read through BTF pointers: no helper call. */
SP_INLINE __u64 sp_task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

/* Whether a task in cgroup cg not captured by the cgroup slots may be in a registered subtree. */
SP_INLINE int sp_outside_unknown(__u64 cg)
{
	return sp_subtrees_n && sp_outside[cg & (SP_CG_SLOTS - 1)] != (cg | ((__u64)sp_filter_gen << SP_OUTSIDE_ID_BITS));
}

/*
 * sp_may_capture's rare case, several captured cgroups sharing cg's slot: a subprogram of its own,
 * so that the common path keeps no value across a helper call (no callee-saved register to push).
 */
static __noinline int sp_may_capture_collided(__u64 cg)
{
	if (bpf_map_lookup_elem(&sp_cgroups, &cg))
		return 1;
	return sp_outside_unknown(cg);
}

/*
 * Whether the task may be captured: all that every process on the node that is not captured pays
 * per system call, so nothing comes before it in the hooks. A task no BPF program ever gave
 * storage to (one load) is neither followed nor holds a decision, so with no pid or subtree
 * registered only the cgroup slots can capture it: one cgroup id read, one load from sp_cgslots,
 * no helper call but the one that finds the task. With subtrees registered, one load more: whether
 * its cgroup is already known to lie outside them (sp_outside). Nothing on this path outlives the
 * helper call, so the JITed hook saves one register, not five, and needs no stack.
 */
SP_INLINE int sp_may_capture(struct task_struct *task)
{
	__u64 cg, v;

	if (task->bpf_storage || sp_pids_added)
		return 1;
	cg = sp_task_cgroup_id(task);
	v = sp_cgslots[cg & (SP_CG_SLOTS - 1)];
	if (v == cg && cg)
		return 1;
	if (v == SP_CG_COLLIDED)
		return sp_may_capture_collided(cg);
	return sp_outside_unknown(cg);
}

/* The state of task (the current task) when it is captured, else NULL. */
SP_INLINE struct sp_task *sp_tracked(struct task_struct *task)
{
	struct sp_task *t = 0;
	__u32 gen = sp_filter_gen;
	__u32 tgid;
	__u64 cg;
	int yes;

	if (!sp_may_capture(task))
		return NULL;
	if (task->bpf_storage) {
		t = bpf_task_storage_get(&sp_tasks, task, 0, 0);
		if (t && t->gen == gen)
			return t->tracked ? t : NULL;
	}
	cg = sp_task_cgroup_id(task);
	yes = sp_cgroup_captured(cg) || (t && t->followed) || (sp_subtrees_n && sp_in_subtree());
	if (!yes && sp_pids_added) {
		tgid = bpf_get_current_pid_tgid() >> 32;
		yes = bpf_map_lookup_elem(&sp_pids, &tgid) != 0;
	}
	if (!yes && !t) {
		/* gen was read before the subtree test: a change meanwhile makes this entry stale */
		if (sp_subtrees_n && !(cg >> SP_OUTSIDE_ID_BITS))
			sp_outside[cg & (SP_CG_SLOTS - 1)] = cg | ((__u64)gen << SP_OUTSIDE_ID_BITS);
		return NULL;
	}
	if (!t)
		t = bpf_task_storage_get(&sp_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return NULL;
	t->tracked = yes;
	t->gen = gen;
	return yes ? t : NULL;
}

/* The current task's state when it is captured, else NULL. */
SP_INLINE struct sp_task *sp_tracked_task(void)
{
	return sp_tracked(bpf_get_current_task_btf());
}

SP_INLINE void sp_task_header(struct sp_event_hdr *h, __u64 now)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();

	h->ts_ns = now;
	h->duration_ns = 0;
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = (__u32)id;
	h->tgid = id >> 32;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->ret = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/*
 * Wake the consumer only once this much is waiting: it polls with a timeout anyway, so a
 * record is late by at most one poll period, and a busy container costs one wakeup per
 * SP_WAKEUP_BYTES instead of one per record.
 */
#define SP_WAKEUP_BYTES (256 << 10)

SP_INLINE void sp_emit(void *buf, __u32 len)
{
	__u32 zero = 0;
	struct sp_counters *c = bpf_map_lookup_elem(&sp_stats, &zero);
	__u64 flags = bpf_ringbuf_query(&sp_ring, BPF_RB_AVAIL_DATA) >= SP_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	len &= SP_OFF_MASK;
	if (bpf_ringbuf_output(&sp_ring, buf, len, flags) < 0) {
		if (c)
			c->drops++;
		return;
	}
	if (c) {
		c->events++;
		c->bytes += len;
	}
}

/* The per-CPU scratch buffer a record is built in (slot 0; slot 1 holds execve's stash). */
SP_INLINE struct sp_scratch_buf *sp_scratch_buf(struct sp_builder *b)
{
	__u32 k = 0;
	struct sp_scratch_buf *s = bpf_map_lookup_elem(&sp_scratch, &k);

	if (s)
		b->buf = s->b;
	return s;
}

/* Emit an IO_REPEAT for every slot with repeats pending: they happened before what follows. */
SP_INLINE void sp_flush(struct sp_task *t)
{
	int i;

#pragma unroll
	for (i = 0; i < SP_AGG_SLOTS; i++) {
		struct sp_agg *a = &t->agg[i];
		struct sp_builder b = {};
		struct sp_scratch_buf *s;
		struct sp_event_hdr *h;

		if (!a->count)
			continue;
		s = sp_scratch_buf(&b);
		if (!s)
			return;
		h = (struct sp_event_hdr *)s->b;
		sp_task_header(h, a->last_ns);
		sp_fill_repeat(&b, h, a);
		sp_emit(s->b, sp_finish(&b, h));
	}
}

/*
 * Whether stdio fd goes to /dev/null (character device 1:3), where nobody reads the log stream: a
 * marker written there is summed too. Asked only of writes that start like a marker.
 */
SP_INLINE int sp_stdio_null(struct sp_task *t, struct task_struct *task, int fd)
{
	struct file **fda;
	struct file *f = 0;
	struct inode *inode;
	int null;

	/* plain loads through BTF pointers down to the fd array; helper reads from the slot on */
	fda = task->files->fdt->fd;
	if (!fda || bpf_probe_read_kernel(&f, sizeof(f), fda + fd) || !f)
		return 0;
	if ((__u64)f == t->stdio_file)
		return t->stdio_null;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return 0;
	null = (BPF_CORE_READ(inode, i_mode) & 0170000) == 0020000 && BPF_CORE_READ(inode, i_rdev) == ((1u << 20) | 3);
	t->stdio_file = (__u64)f;
	t->stdio_null = null;
	return null;
}

/*
 * Markers only (sp_markers.h): whether a stdio write is summed with no record of its own, because
 * it neither starts like a marker nor goes on with a line a kept write left open. Asked first, so
 * that such a write (most of the log stream) costs one read of its first bytes and not the fd table
 * read of the /dev/null test too. A subprogram of its own: only stdio writes pay for it.
 */
static __noinline int sp_stdio_quiet(struct sp_task *t, struct pt_regs *regs, long ret)
{
	__u64 a[6] = { regs->di, regs->si, regs->dx, 0, 0, 0 };
	struct sp_data_src src;

	if (t->stdio_open & (1u << (regs->di & 3)))
		return 0;
	sp_rw_src(&src, regs->orig_ax, a);
	return !sp_stdio_marked(&src, ret);
}

/* A stdio write was kept whole: whether the thread's next writes to that fd go on with its line. */
static __noinline void sp_stdio_note_line(struct sp_task *t, const struct sp_data_src *src, long ret, int fd)
{
	__u8 bit = 1u << (fd & 3);

	if (ret <= 0)
		return;
	if (sp_stdio_line_open(src, ret))
		t->stdio_open |= bit;
	else
		t->stdio_open &= ~bit;
}

/*
 * Raw syscall tracepoints (fentry on the syscall functions would spare other processes the
 * syscall slow path, but BPF trampolines are refused here: EPERM at load). Only sys_exit is
 * attached by default: the arguments are still in pt_regs there, the data read is in the
 * buffer, and a second program on every syscall of the node costs as much as the first. What
 * a process that is not captured pays is sp_may_capture, first thing in each hook: the task
 * pointer, a task-storage pointer test, two globals, the cgroup id and its slot in sp_cgslots.
 */
/* sys_enter's work, for a task that may be captured (see sp_sys_enter). */
static __noinline int sp_on_enter(struct pt_regs *regs, long id)
{
	struct sp_task *t;
	int ev = sp_syscall_event(id);

	if (ev == SP_EV_NONE)
		return 0;
	t = sp_tracked_task();
	if (!t)
		return 0;
	if (ev == SP_EV_EXIT_GROUP) {
		/* exit_group never returns: emit now. */
		struct sp_builder b = {};
		struct sp_scratch_buf *s = sp_scratch_buf(&b);
		struct sp_data_src data;
		__u64 a[6] = { regs->di, 0, 0, 0, 0, 0 };

		if (!s)
			return 0;
		sp_flush(t);
		struct sp_event_hdr *h = (struct sp_event_hdr *)s->b;
		sp_task_header(h, bpf_ktime_get_boot_ns());
		sp_fill_syscall(&b, h, id, a, 0, 0, &data);
		sp_emit(s->b, sp_finish(&b, h));
		return 0;
	}
	t->enter_ns = bpf_ktime_get_boot_ns();
	t->enter_nr1 = id + 1;
	return 0;
}

/* ctx rather than BPF_PROG's arguments: see sp_sys_exit */
SEC("tp_btf/sys_enter")
int sp_sys_enter(__u64 *ctx)
{
	if (!sp_may_capture(bpf_get_current_task_btf()))
		return 0;
	return sp_on_enter((struct pt_regs *)ctx[0], (long)ctx[1]);
}

struct sp_chunk_ctx {
	struct sp_data_src src;
	__s64 ret;
};

static long sp_chunk_cb(__u64 i, void *arg)
{
	struct sp_chunk_ctx *ctx = arg;
	struct sp_builder b = {};
	struct sp_scratch_buf *s = sp_scratch_buf(&b);
	int last;

	if (!s)
		return 1;
	struct sp_event_hdr *h = (struct sp_event_hdr *)s->b;
	last = sp_fill_chunk(&b, h, &ctx->src, (i + 1) * SP_CHUNK, ctx->ret);
	sp_emit(s->b, sp_finish(&b, h));
	return last;
}

/* The syscall's entry time, with durations on and a matching entry seen; else 0. */
SP_INLINE __u64 sp_entered(struct sp_task *t, long nr)
{
	__u64 t0 = sp_durations && t->enter_nr1 == nr + 1 ? t->enter_ns : 0;

	t->enter_nr1 = 0;
	return t0;
}

/*
 * sys_exit's work, for a task that may be captured (see sp_sys_exit). A subprogram of its own, so
 * that none of its set-up (stack zeroing, register spills) is scheduled before the early-out.
 */
static __noinline int sp_on_exit(struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	int ev = sp_syscall_event(nr);
	struct sp_exec_stash *ex = 0;
	struct sp_chunk_ctx cctx = {};
	struct sp_builder b = {};
	struct sp_scratch_buf *s;
	struct sp_event_hdr *h;
	struct sp_task *t;
	__u64 a[6], now, t0;
	int rw, sum, quiet, fd = (int)regs->di;
	struct task_struct *task;

	if (ev == SP_EV_NONE)
		return 0;
	/* one lookup of the task for the filter and the fd table (each is a helper call) */
	task = bpf_get_current_task_btf();
	t = sp_tracked(task);
	if (!t)
		return 0;
	t0 = sp_entered(t, nr);
	if (sp_nothing_moved(ev, ret))
		return 0;
	rw = ev == SP_EV_READ || ev == SP_EV_WRITE;
	now = bpf_ktime_get_boot_ns();
	/* reads and writes are summed, but a stdio write only when it carries no marker (counted from
	 * the first one on, never recorded itself) or goes to /dev/null (the first one of a run recorded) */
	sum = rw && ret >= 0 && (ev == SP_EV_READ || !sp_is_stdio_fd(fd));
	quiet = rw && ret >= 0 && !sum && sp_stdio_quiet(t, regs, ret);
	if (rw && ret >= 0 && !sum && !quiet)
		sum = sp_stdio_null(t, task, fd);
	if ((sum || quiet) && sp_agg_count(t->agg, ev, fd, nr, ret, now))
		return 0;
	sp_flush(t);
	if (sum || quiet)
		sp_agg_arm(t->agg, &t->evict, ev, fd);
	if (quiet) {
		sp_agg_count(t->agg, ev, fd, nr, ret, now);
		return 0;
	}
	if (!rw)
		t->stdio_file = 0; /* an open, close or dup may have put another file there */
	/* a successful exec was recorded by sp_exec, with the new image's view of it */
	if (ev == SP_EV_EXECVE && ret == 0)
		return 0;
	s = sp_scratch_buf(&b);
	if (!s)
		return 0;
	h = (struct sp_event_hdr *)s->b;
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
	if (ev == SP_EV_EXECVE) {
		/* it failed, so the old image and its arguments are still there */
		__u32 k = 1;

		ex = bpf_map_lookup_elem(&sp_scratch, &k);
		if (ex) {
			if (nr == __NR_execveat)
				sp_stash_exec(ex, a[1], a[2]);
			else
				sp_stash_exec(ex, a[0], a[1]);
		}
	}
	sp_task_header(h, now);
	h->duration_ns = t0 ? now - t0 : 0;
	h->ret = ret;
	if (sp_fill_syscall(&b, h, nr, a, ret, ex, &cctx.src) == SP_EV_NONE)
		return 0;
	sp_emit(s->b, sp_finish(&b, h));
	if (b.rflags & SP_RF_MORE) {
		cctx.ret = ret;
		bpf_loop(SP_STDIO_MAX / SP_CHUNK - 1, sp_chunk_cb, &cctx, 0);
	}
	if (ev == SP_EV_WRITE && !sum && sp_is_stdio_fd(fd))
		sp_stdio_note_line(t, &cctx.src, ret, fd);
	return 0;
}

/*
 * ctx rather than BPF_PROG's arguments: BPF_PROG loads them on entry, and the compiler then keeps
 * them in callee-saved registers across the helper call of the filter, which costs every process
 * on the node pushes and pops of registers it does not need; read here, after the filter, they
 * are loaded only for a task that may be captured.
 */
SEC("tp_btf/sys_exit")
int sp_sys_exit(__u64 *ctx)
{
	if (!sp_may_capture(bpf_get_current_task_btf()))
		return 0;
	return sp_on_exit((struct pt_regs *)ctx[0], (long)ctx[1]);
}

/*
 * Starts a record that is not built at a syscall's exit (fork, exit, and exec, which sets its
 * syscall number itself) in the per-CPU scratch buffer: no syscall number, fd or flags; the
 * caller then writes its parameters. Returns the header, or NULL without a scratch buffer.
 */
SP_INLINE struct sp_event_hdr *sp_proc_event(struct sp_scratch_buf **s, struct sp_builder *b, __u16 type)
{
	struct sp_event_hdr *h;

	*s = sp_scratch_buf(b);
	if (!*s)
		return NULL;
	h = (struct sp_event_hdr *)(*s)->b;
	sp_task_header(h, bpf_ktime_get_boot_ns());
	h->type = type;
	h->syscall_nr = -1;
	h->fd = -1;
	h->flags = 0;
	b->rflags = 0;
	return h;
}

/*
 * A successful execve or execveat, recorded where the kernel has the new program: the path as
 * the kernel resolved it (bprm->filename) and the first bytes of the new argv, which the
 * kernel has just copied, NUL separated, to the new stack. At sys_exit the old image is gone.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sp_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sp_task *t = sp_tracked_task();
	struct sp_builder b = {};
	struct sp_scratch_buf *s;
	struct sp_event_hdr *h;
	__u64 t0, args, args_end;
	long nr;

	if (!t)
		return 0;
	nr = sp_durations && t->enter_nr1 == __NR_execveat + 1 ? __NR_execveat : __NR_execve;
	t0 = sp_entered(t, nr);
	sp_flush(t);
	h = sp_proc_event(&s, &b, SP_EV_EXECVE);
	if (!h)
		return 0;
	sp_begin(&b, 3);
	h->syscall_nr = nr;
	h->duration_ns = t0 ? h->ts_ns - t0 : 0;
	sp_put_u64(&b, 0, (__u64)(__s64)SP_AT_FDCWD);
	sp_put_copied_str(&b, 1, bpf_probe_read_kernel_str(b.buf + (b.off & SP_OFF_MASK), SP_PATH_MAX + 2, BPF_CORE_READ(bprm, filename)));
	args = BPF_CORE_READ(p, mm, arg_start);
	args_end = BPF_CORE_READ(p, mm, arg_end);
	sp_put_user_bytes(&b, 2, args, (__s64)(args_end - args), SP_ARGV_MAX);
	sp_emit(s->b, sp_finish(&b, h));
	return 0;
}

/*
 * A task's pid as its own (innermost) pid namespace numbers it: thread_pid->numbers[level].nr,
 * what task_pid_vnr gives inside that namespace. The entry is read with a helper: the index is
 * not a constant.
 */
SP_INLINE __u32 sp_ns_pid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	int nr = 0;

	if (pid && bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[level].nr))
		nr = 0;
	return (__u32)nr;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork, struct task_struct *parent, struct task_struct *child)
{
	struct sp_task *t = sp_tracked_task(), *ct;
	struct sp_scratch_buf *s;
	struct sp_builder b = {};
	struct sp_event_hdr *h;
	__u32 cpid = child->pid, ctgid = child->tgid;

	if (!t)
		return 0;
	/* the child (process or thread) is captured wherever it goes */
	ct = bpf_task_storage_get(&sp_tasks, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ct) {
		ct->tracked = 1;
		ct->followed = 1;
		ct->gen = sp_filter_gen;
	}
	sp_flush(t);
	h = sp_proc_event(&s, &b, SP_EV_PROC_FORK);
	if (!h)
		return 0;
	sp_fill_proc_fork(&b, cpid, ctgid, sp_ns_pid(child));
	sp_emit(s->b, sp_finish(&b, h));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_exit, struct task_struct *p)
{
	struct sp_scratch_buf *s;
	struct sp_builder b = {};
	struct sp_event_hdr *h;
	struct sp_task *t = sp_tracked_task(); /* p is the current task */
	__u32 tgid = p->tgid;

	if (!t)
		return 0;
	sp_flush(t);
	h = sp_proc_event(&s, &b, SP_EV_PROC_EXIT);
	if (!h)
		return 0;
	sp_fill_proc_exit(&b, p->exit_code);
	sp_emit(s->b, sp_finish(&b, h));
	if (p->pid == tgid)
		bpf_map_delete_elem(&sp_pids, &tgid);
	return 0;
}
