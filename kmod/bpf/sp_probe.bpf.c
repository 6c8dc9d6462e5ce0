// SPDX-License-Identifier: GPL-2.0
/*
 * serverless-provenance CO-RE probe: fentry/fexit on the captured syscalls + process fork/exit, filtered
 * in the kernel by cgroup id (the container) and by followed processes, one record per
 * syscall (built at exit, with the entry time for the duration) into a ring buffer.
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

struct sp_start {
	__u64 ts;
	__s64 nr;
};

struct sp_counters {
	__u64 events;
	__u64 drops;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} sp_ring SEC(".maps");

/* Containers to capture: cgroup v2 id -> 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} sp_cgroups SEC(".maps");

/* Processes added by pid from user space (their children are followed through sp_follow). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} sp_pids SEC(".maps");

/*
 * Syscall entry time per thread, for the duration: task-local storage, freed with the task,
 * and for a task never captured the exit program's lookup is a NULL pointer test.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sp_start);
} sp_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct sp_exec_stash);
} sp_execs SEC(".maps");

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

/*
 * Tasks followed wherever they go: every task forked by a captured task (processes and
 * threads) is marked in its own storage, which dies with it. Cheaper than a pid hash lookup
 * on the hot path of every process that is not captured.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} sp_follow SEC(".maps");

/* Set by user space once it has added a pid to sp_pids: until then that lookup is skipped. */
volatile __u32 sp_pids_added = 0;

SP_INLINE int sp_tracked(void)
{
	__u64 cg = bpf_get_current_cgroup_id();
	__u32 tgid;

	if (bpf_map_lookup_elem(&sp_cgroups, &cg))
		return 1;
	if (bpf_task_storage_get(&sp_follow, bpf_get_current_task_btf(), 0, 0))
		return 1;
	if (!sp_pids_added)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	return bpf_map_lookup_elem(&sp_pids, &tgid) != 0;
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

/*
 * Raw syscall tracepoints (fentry on the syscall functions would spare other processes the
 * syscall slow path, but BPF trampolines are refused here: EPERM at load). What a process that
 * is not captured pays is kept to the minimum instead: at entry the syscall type first (a
 * compiled switch, no memory access), then the cgroup filter; at exit one task-storage pointer
 * test, since only a task whose entry was captured has storage.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(sp_sys_enter, struct pt_regs *regs, long id)
{
	struct sp_start *st;
	int ev = sp_syscall_event(id);

	if (ev == SP_EV_NONE)
		return 0;
	if (!sp_tracked())
		return 0;
	if (ev == SP_EV_EXIT_GROUP) {
		/* exit_group never returns: emit now. */
		__u32 k = 0;
		struct sp_scratch_buf *s = bpf_map_lookup_elem(&sp_scratch, &k);
		struct sp_builder b = {};
		struct sp_data_src data;
		__u64 a[6];

		if (!s)
			return 0;
		b.buf = s->b;
		a[0] = regs->di;
		a[1] = a[2] = a[3] = a[4] = a[5] = 0;
		struct sp_event_hdr *h = (struct sp_event_hdr *)s->b;
		sp_task_header(h, bpf_ktime_get_boot_ns());
		sp_fill_syscall(&b, h, id, a, 0, 0, &data);
		sp_emit(s->b, sp_finish(&b, h));
		return 0;
	}
	if (ev == SP_EV_EXECVE) {
		__u32 k = 1, tid = (__u32)bpf_get_current_pid_tgid();
		struct sp_exec_stash *ex = bpf_map_lookup_elem(&sp_scratch, &k);

		if (ex) {
			if (id == __NR_execveat)
				sp_stash_exec(ex, regs->si, regs->dx);
			else
				sp_stash_exec(ex, regs->di, regs->si);
			bpf_map_update_elem(&sp_execs, &tid, ex, BPF_ANY);
		}
	}
	st = bpf_task_storage_get(&sp_starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	st->ts = bpf_ktime_get_boot_ns();
	st->nr = id;
	return 0;
}

struct sp_chunk_ctx {
	struct sp_data_src src;
	__s64 ret;
};

static long sp_chunk_cb(__u64 i, void *arg)
{
	struct sp_chunk_ctx *ctx = arg;
	__u32 k = 0;
	struct sp_scratch_buf *s = bpf_map_lookup_elem(&sp_scratch, &k);
	struct sp_builder b = {};
	int last;

	if (!s)
		return 1;
	b.buf = s->b;
	struct sp_event_hdr *h = (struct sp_event_hdr *)s->b;
	last = sp_fill_chunk(&b, h, &ctx->src, (i + 1) * SP_CHUNK, ctx->ret);
	sp_emit(s->b, sp_finish(&b, h));
	return last;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sp_sys_exit, struct pt_regs *regs, long ret)
{
	struct sp_start *st = bpf_task_storage_get(&sp_starts, bpf_get_current_task_btf(), 0, 0);
	struct sp_exec_stash *ex = 0;
	struct sp_chunk_ctx cctx = {};
	struct sp_builder b = {};
	struct sp_event_hdr *h;
	__u64 a[6], now, t0;
	__u32 k = 0, tid;
	long nr;
	int ev;

	if (!st || st->nr < 0)
		return 0;
	nr = st->nr;
	t0 = st->ts;
	st->nr = -1; /* consumed: an exit without a captured entry must not reuse it */
	/* the syscall number of this exit must be the one we saw enter */
	if (regs->orig_ax != nr)
		return 0;
	struct sp_scratch_buf *s = bpf_map_lookup_elem(&sp_scratch, &k);
	if (!s)
		return 0;
	b.buf = s->b;
	h = (struct sp_event_hdr *)s->b;
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (sp_syscall_event(nr) == SP_EV_EXECVE)
		ex = bpf_map_lookup_elem(&sp_execs, &tid);
	now = bpf_ktime_get_boot_ns();
	sp_task_header(h, now);
	h->duration_ns = now - t0;
	h->ret = ret;
	ev = sp_fill_syscall(&b, h, nr, a, ret, ex, &cctx.src);
	if (ex)
		bpf_map_delete_elem(&sp_execs, &tid);
	if (ev == SP_EV_NONE)
		return 0;
	sp_emit(s->b, sp_finish(&b, h));
	if (b.rflags & SP_RF_MORE) {
		cctx.ret = ret;
		bpf_loop(SP_STDIO_MAX / SP_CHUNK - 1, sp_chunk_cb, &cctx, 0);
	}
	return 0;
}

/*
 * Starts a process-lifecycle record (fork, exit) in the per-CPU scratch buffer: these are not
 * syscalls, so no syscall number, fd or flags. Returns the header, or NULL without a scratch buffer.
 */
SP_INLINE struct sp_event_hdr *sp_proc_event(struct sp_scratch_buf **s, struct sp_builder *b, __u16 type, __u16 nparams)
{
	__u32 k = 0;
	struct sp_event_hdr *h;

	*s = bpf_map_lookup_elem(&sp_scratch, &k);
	if (!*s)
		return NULL;
	b->buf = (*s)->b;
	h = (struct sp_event_hdr *)(*s)->b;
	sp_task_header(h, bpf_ktime_get_boot_ns());
	h->type = type;
	h->syscall_nr = -1;
	h->fd = -1;
	h->flags = 0;
	b->rflags = 0;
	sp_begin(b, nparams);
	return h;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u8 one = 1;
	struct sp_scratch_buf *s;
	struct sp_builder b = {};
	struct sp_event_hdr *h;
	__u32 cpid = child->pid, ctgid = child->tgid;

	if (!sp_tracked())
		return 0;
	bpf_task_storage_get(&sp_follow, child, &one, BPF_LOCAL_STORAGE_GET_F_CREATE);
	h = sp_proc_event(&s, &b, SP_EV_PROC_FORK, 2);
	if (!h)
		return 0;
	sp_put_u32(&b, 0, cpid);
	sp_put_u32(&b, 1, ctgid);
	sp_emit(s->b, sp_finish(&b, h));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_exit, struct task_struct *p)
{
	struct sp_scratch_buf *s;
	struct sp_builder b = {};
	struct sp_event_hdr *h;
	__u32 tgid = p->tgid;

	if (!sp_tracked())
		return 0;
	h = sp_proc_event(&s, &b, SP_EV_PROC_EXIT, 1);
	if (!h)
		return 0;
	sp_put_u64(&b, 0, (__u64)(__s64)p->exit_code);
	sp_emit(s->b, sp_finish(&b, h));
	if (p->pid == tgid)
		bpf_map_delete_elem(&sp_pids, &tgid);
	return 0;
}
