/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/*
 * Which x86_64 syscalls are captured, and as which event type. Shared by the eBPF probe and
 * the kernel module so both capture exactly the same set. Needs the __NR_* macros
 * (<asm/unistd.h> in the kernel, <asm/unistd_64.h> elsewhere).
 */
#ifndef SP_SYSCALLS_H
#define SP_SYSCALLS_H
#include "sp_event.h"

static inline __attribute__((always_inline)) int sp_syscall_event(long nr)
{
	switch (nr) {
	case __NR_open: case __NR_openat: case __NR_openat2: case __NR_creat:
		return SP_EV_OPEN;
	case __NR_read: case __NR_pread64: case __NR_readv: case __NR_preadv: case __NR_preadv2:
		return SP_EV_READ;
	case __NR_write: case __NR_pwrite64: case __NR_writev: case __NR_pwritev: case __NR_pwritev2:
		return SP_EV_WRITE;
	case __NR_sendfile: case __NR_copy_file_range: case __NR_splice:
		return SP_EV_SENDFILE;
	case __NR_close:
		return SP_EV_CLOSE;
	case __NR_dup: case __NR_dup2: case __NR_dup3:
		return SP_EV_DUP;
	case __NR_pipe: case __NR_pipe2:
		return SP_EV_PIPE;
	case __NR_rename: case __NR_renameat: case __NR_renameat2:
		return SP_EV_RENAME;
	case __NR_unlink: case __NR_unlinkat: case __NR_rmdir:
		return SP_EV_UNLINK;
	case __NR_link: case __NR_linkat: case __NR_symlink: case __NR_symlinkat:
		return SP_EV_LINK;
	case __NR_mkdir: case __NR_mkdirat:
		return SP_EV_MKDIR;
	case __NR_chmod: case __NR_fchmod: case __NR_fchmodat:
		return SP_EV_CHMOD;
	case __NR_execve: case __NR_execveat:
		return SP_EV_EXECVE;
	case __NR_clone: case __NR_clone3: case __NR_fork: case __NR_vfork:
		return SP_EV_CLONE;
	case __NR_exit_group:
		return SP_EV_EXIT_GROUP;
	case __NR_connect:
		return SP_EV_CONNECT;
	case __NR_accept: case __NR_accept4:
		return SP_EV_ACCEPT;
	case __NR_bind:
		return SP_EV_BIND;
	case __NR_listen:
		return SP_EV_LISTEN;
	case __NR_sendto: case __NR_sendmsg:
		return SP_EV_SENDTO;
	case __NR_recvfrom: case __NR_recvmsg:
		return SP_EV_RECVFROM;
	case __NR_socket:
		return SP_EV_SOCKET;
	case __NR_kill: case __NR_tkill: case __NR_tgkill:
		return SP_EV_KILL;
	default:
		return SP_EV_NONE;
	}
}

#endif
