/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/*
 * serverless-provenance: the one kernel event record.
 *
 * Emitted identically by the CO-RE eBPF probe (bpf/sp_probe.bpf.c) and the loadable
 * kernel module (lkm/sp_lkm.c); decoded by kmod/decode.ts. Modelled on falcosecurity/libs
 * (ppm_events_public.h + event_table.c): a fixed header, then one u16 length per
 * parameter, then the parameters' bytes back to back.
 *
 *   [struct sp_event_hdr][u16 len[nparams]][param 0 bytes][param 1 bytes]...
 *
 * Rules for changing it (so that the probe, the module and every decoder stay compatible): append a parameter to an event, or add a
 * new event type. Never reorder, retype or remove. Bump SP_EVENT_VERSION when the header
 * changes. Decoders tolerate extra or missing trailing parameters.
 *
 * This header is included by BPF C (with vmlinux.h), by kernel C and by user-space C,
 * so it uses only the __u8..__u64 / __s32 / __s64 type names that all three have.
 */
#ifndef SP_EVENT_H
#define SP_EVENT_H

#define SP_EVENT_VERSION 1

/* Event types. The numbers are the wire format: never renumber. */
enum sp_event_type {
	SP_EV_NONE = 0,
	SP_EV_OPEN = 1,       /* open, openat, openat2, creat */
	SP_EV_READ = 2,       /* read, pread64, readv, preadv, preadv2 */
	SP_EV_WRITE = 3,      /* write, pwrite64, writev, pwritev, pwritev2 */
	SP_EV_SENDFILE = 4,   /* sendfile, copy_file_range, splice */
	SP_EV_CLOSE = 5,      /* close */
	SP_EV_DUP = 6,        /* dup, dup2, dup3 */
	SP_EV_PIPE = 7,       /* pipe, pipe2 */
	SP_EV_RENAME = 8,     /* rename, renameat, renameat2 */
	SP_EV_UNLINK = 9,     /* unlink, unlinkat, rmdir */
	SP_EV_LINK = 10,      /* link, linkat, symlink, symlinkat */
	SP_EV_MKDIR = 11,     /* mkdir, mkdirat */
	SP_EV_CHMOD = 12,     /* chmod, fchmod, fchmodat */
	SP_EV_EXECVE = 13,    /* execve, execveat */
	SP_EV_CLONE = 14,     /* clone, clone3, fork, vfork */
	SP_EV_EXIT_GROUP = 15,/* exit_group (emitted at entry: it never returns) */
	SP_EV_CONNECT = 16,   /* connect */
	SP_EV_ACCEPT = 17,    /* accept, accept4 */
	SP_EV_BIND = 18,      /* bind */
	SP_EV_LISTEN = 19,    /* listen */
	SP_EV_SENDTO = 20,    /* sendto, sendmsg */
	SP_EV_RECVFROM = 21,  /* recvfrom, recvmsg */
	SP_EV_SOCKET = 22,    /* socket */
	SP_EV_KILL = 23,      /* kill, tkill, tgkill */
	SP_EV_PROC_FORK = 24, /* sched_process_fork: a new task (process or thread), with its pid in its own namespace */
	SP_EV_PROC_EXIT = 25, /* sched_process_exit: a task ended */
	SP_EV_DATA_CHUNK = 26,/* continuation of the previous record of the same pid (long stdio I/O) */
	SP_EV_IO_REPEAT = 27, /* more reads or writes of one fd by one thread, summed in the kernel (see below) */
	SP_EV_MAX = 28
};

/* Parameter types. */
enum sp_param_type {
	SP_PT_NONE = 0,
	SP_PT_U32 = 1,      /* 4 bytes little endian */
	SP_PT_U64 = 2,      /* 8 bytes little endian */
	SP_PT_S64 = 3,      /* 8 bytes little endian, signed */
	SP_PT_FD = 4,       /* 8 bytes, signed; AT_FDCWD = -100 */
	SP_PT_PATH = 5,     /* string bytes, no NUL */
	SP_PT_SOCKADDR = 6, /* raw struct sockaddr as the caller passed it (family first) */
	SP_PT_BYTES = 7,    /* raw bytes (first bytes of a buffer) */
	SP_PT_MAX = 8
};

/*
 * IO_REPEAT (ProTracer's reduction, done before the data leaves the kernel): a thread's reads or
 * writes of one fd that follow its first one are counted, not emitted, until the thread does
 * anything else that is captured, exits, or SP_AGG_MAX_NS pass; then one IO_REPEAT says how many
 * there were (params: of = READ or WRITE, count, bytes, first_ns; the header carries the last
 * one's time, syscall and return value). A stdio write is summed the same way unless it may carry
 * an activation marker (sp_markers.h): those keep their bytes; for a summed one, no record of its
 * own is emitted, the IO_REPEAT counts it from the first.
 */
#define SP_AGG_MAX_NS 100000000ull /* 100 ms */

/* The eBPF probe's direct-mapped cgroup filter (slot = id % SP_CG_SLOTS; see sp_probe.bpf.c). */
#define SP_CG_SLOTS 4096
#define SP_CG_COLLIDED (~0ull)

/*
 * Subtrees: a task is also captured when its cgroup lies under a registered cgroup (the container
 * engine's parent, e.g. /docker), so a container's first syscalls are recorded before user space
 * learns its id. A subtree is its cgroup v2 id and its level (depth below the root, 0 = root); the
 * task matches when its ancestor at that level is that cgroup.
 */
#define SP_MAX_SUBTREES 8
struct sp_subtree {
	__u64 id;
	__u32 level;
	__u32 pad;
};

/* Record flags (sp_event_hdr.rflags). */
#define SP_RF_MORE      0x1u /* DATA_CHUNK records of the same pid follow this record */
#define SP_RF_TRUNCATED 0x2u /* some data of this syscall was not captured */

/* Parameter length word: low 15 bits are the length, the top bit says the value was cut. */
#define SP_PARAM_LEN_MASK  0x7fffu
#define SP_PARAM_TRUNCATED 0x8000u

#define SP_MAX_PARAMS 8

/* Capture limits (bytes). Stdio (fds 0-2) data is chunked so log lines survive whole. */
#define SP_PATH_MAX      512
#define SP_SOCKADDR_MAX  128
#define SP_SNAPLEN       64      /* first bytes of reads/writes on other fds */
#define SP_CHUNK         4096    /* stdio bytes per record */
#define SP_STDIO_MAX     65536   /* stdio bytes per syscall, over all chunks */
#define SP_MAX_IOV       8       /* iovecs looked at for readv/writev/sendmsg */
#define SP_ARGV_MAX      256     /* first bytes of execve argv, NUL separated */

/*
 * The fixed header. Naturally aligned, no implicit padding; test/kmod-layout.test.ts checks
 * these offsets against the compiled probe's BTF and against kmod/schema.ts.
 */
struct sp_event_hdr {
	__u32 len;         /*  0: whole record, header included */
	__u16 type;        /*  4: enum sp_event_type */
	__u8 version;      /*  6: SP_EVENT_VERSION */
	__u8 nparams;      /*  7: number of u16 lengths that follow the header */
	__u64 ts_ns;       /*  8: CLOCK_BOOTTIME ns at syscall exit (entry for exit_group) */
	__u64 duration_ns; /* 16: exit - entry; 0 when not measured (the probe measures it when asked) */
	__u64 cgroup_id;   /* 24: cgroup v2 id (inode number) of the task */
	__s64 ret;         /* 32: syscall return value */
	__u64 flags;       /* 40: the syscall's flags argument (open/accept4/clone/...), 0 if none */
	__u32 pid;         /* 48: thread id */
	__u32 tgid;        /* 52: process id */
	__s32 syscall_nr;  /* 56: x86_64 syscall number, -1 for non-syscall events */
	__s32 fd;          /* 60: the syscall's main fd argument, -1 if none */
	__u32 rflags;      /* 64: SP_RF_* */
	__u32 ppid;        /* 68: parent process id */
	char comm[16];     /* 72: task comm, NUL padded */
};                     /* 88 */

#define SP_HDR_SIZE 88

/* Character device of the kernel module, and its ioctls. */
#define SP_DEVICE_NAME "sp_capture"
#define SP_IOC_MAGIC 0xB7
struct sp_stats {
	__u64 events;  /* records written to the buffer */
	__u64 drops;   /* records lost: buffer full */
	__u64 bytes;   /* bytes written to the buffer */
};
#define SP_IOC_ADD_CGROUP _IOW(SP_IOC_MAGIC, 1, __u64)
#define SP_IOC_DEL_CGROUP _IOW(SP_IOC_MAGIC, 2, __u64)
#define SP_IOC_ADD_PID    _IOW(SP_IOC_MAGIC, 3, __u32)
#define SP_IOC_STATS      _IOR(SP_IOC_MAGIC, 4, struct sp_stats)
#define SP_IOC_ADD_SUBTREE _IOW(SP_IOC_MAGIC, 5, struct sp_subtree)
#define SP_IOC_DEL_SUBTREE _IOW(SP_IOC_MAGIC, 6, struct sp_subtree)

#endif /* SP_EVENT_H */
