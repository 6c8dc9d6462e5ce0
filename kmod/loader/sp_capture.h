/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User-space side of kernel capture: one API over both backends (the eBPF probe through its
 * libbpf skeleton, or the kernel module's character device). Batches are the records back to
 * back exactly as the kernel wrote them (see include/sp_event.h); nothing is decoded here.
 */
#ifndef SP_CAPTURE_H
#define SP_CAPTURE_H
#include <stddef.h>
#include <linux/types.h>
#include "sp_event.h"

/* the largest record (see SP_OFF_MASK in sp_fill.h): a batch must hold at least one */
#define SP_SCRATCH_BYTES 8192

#ifdef __cplusplus
extern "C" {
#endif

enum sp_backend { SP_BACKEND_BPF = 0, SP_BACKEND_KMOD = 1 };

struct sp_capture;

/* sp_capture_open flags. */
/* Per-syscall durations and exit_group at entry: the eBPF backend then also attaches sys_enter,
 * a second program on every syscall of the machine. The kernel module always measures them. */
#define SP_OPEN_DURATIONS 0x1u

/* Open a backend. device: the kmod's device path (NULL: /dev/sp_capture); ignored for BPF.
 * flags: SP_OPEN_*. On failure returns a negative errno and writes a sentence saying what to do into err. */
int sp_capture_open(enum sp_backend backend, const char *device, unsigned flags, struct sp_capture **out, char *err,
		    size_t errlen);
int sp_capture_add_cgroup(struct sp_capture *c, __u64 cgroup_id);
int sp_capture_remove_cgroup(struct sp_capture *c, __u64 cgroup_id);
/* Capture every task whose cgroup lies under this one (id at depth level; see sp_event.h). */
int sp_capture_add_subtree(struct sp_capture *c, __u64 cgroup_id, __u32 level);
int sp_capture_remove_subtree(struct sp_capture *c, __u64 cgroup_id, __u32 level);
int sp_capture_add_pid(struct sp_capture *c, __u32 tgid);
/* Wait up to timeout_ms (0: don't wait) for records and copy whole records into buf.
 * Returns the bytes written (0: none), or a negative errno. */
long sp_capture_poll(struct sp_capture *c, void *buf, size_t cap, int timeout_ms);
int sp_capture_stats(struct sp_capture *c, struct sp_stats *out);
/* Detach (on = 0) or attach again (on = 1) the probe's programs, keeping it loaded with its filter:
 * while detached no process pays for it. Loading costs seconds of verification, this milliseconds.
 * -EOPNOTSUPP for the kernel module. */
int sp_capture_set_attached(struct sp_capture *c, int on);
void sp_capture_close(struct sp_capture *c);
/* CLOCK_REALTIME - CLOCK_BOOTTIME in ns: add to a record's ts_ns to get wall-clock time. */
long long sp_boottime_offset_ns(void);

/* Backend entry points (sp_capture.c dispatches). */
struct sp_backend_ops {
	int (*set_cgroup)(void *impl, __u64 id, int add);
	int (*set_subtree)(void *impl, __u64 id, __u32 level, int add);
	int (*add_pid)(void *impl, __u32 tgid);
	long (*poll)(void *impl, void *buf, size_t cap, int timeout_ms);
	int (*stats)(void *impl, struct sp_stats *out);
	int (*set_attached)(void *impl, int on); /* NULL: not supported */
	void (*close)(void *impl);
};
int sp_bpf_open(unsigned flags, void **impl, const struct sp_backend_ops **ops, char *err, size_t errlen);
int sp_kmod_open(const char *device, void **impl, const struct sp_backend_ops **ops, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
