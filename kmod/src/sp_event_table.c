/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/*
 * Every event type and its parameters, in wire order. kmod/schema.ts mirrors this table and
 * kmod/schema.test.ts compiles tools/sp_dump_schema.c against this file to check the mirror.
 * Change an event only by appending a parameter.
 */
#include <linux/types.h>
#include <linux/ioctl.h>
#include "sp_event_table.h"

const struct sp_event_info sp_event_table[SP_EV_MAX] = {
	[SP_EV_NONE] = { "none", 0, {} },
	[SP_EV_OPEN] = { "open", 3, { { "dirfd", SP_PT_FD }, { "path", SP_PT_PATH }, { "mode", SP_PT_U32 } } },
	[SP_EV_READ] = { "read", 3, { { "count", SP_PT_U64 }, { "offset", SP_PT_S64 }, { "data", SP_PT_BYTES } } },
	[SP_EV_WRITE] = { "write", 3, { { "count", SP_PT_U64 }, { "offset", SP_PT_S64 }, { "data", SP_PT_BYTES } } },
	[SP_EV_SENDFILE] = { "sendfile", 2, { { "out_fd", SP_PT_FD }, { "count", SP_PT_U64 } } },
	[SP_EV_CLOSE] = { "close", 0, {} },
	[SP_EV_DUP] = { "dup", 1, { { "newfd", SP_PT_FD } } },
	[SP_EV_PIPE] = { "pipe", 2, { { "fd0", SP_PT_FD }, { "fd1", SP_PT_FD } } },
	[SP_EV_RENAME] = { "rename", 4, { { "olddirfd", SP_PT_FD }, { "oldpath", SP_PT_PATH }, { "newdirfd", SP_PT_FD }, { "newpath", SP_PT_PATH } } },
	[SP_EV_UNLINK] = { "unlink", 2, { { "dirfd", SP_PT_FD }, { "path", SP_PT_PATH } } },
	[SP_EV_LINK] = { "link", 4, { { "olddirfd", SP_PT_FD }, { "oldpath", SP_PT_PATH }, { "newdirfd", SP_PT_FD }, { "newpath", SP_PT_PATH } } },
	[SP_EV_MKDIR] = { "mkdir", 3, { { "dirfd", SP_PT_FD }, { "path", SP_PT_PATH }, { "mode", SP_PT_U32 } } },
	[SP_EV_CHMOD] = { "chmod", 3, { { "dirfd", SP_PT_FD }, { "path", SP_PT_PATH }, { "mode", SP_PT_U32 } } },
	[SP_EV_EXECVE] = { "execve", 3, { { "dirfd", SP_PT_FD }, { "path", SP_PT_PATH }, { "argv", SP_PT_BYTES } } },
	[SP_EV_CLONE] = { "clone", 0, {} },
	[SP_EV_EXIT_GROUP] = { "exit_group", 1, { { "status", SP_PT_S64 } } },
	[SP_EV_CONNECT] = { "connect", 1, { { "addr", SP_PT_SOCKADDR } } },
	[SP_EV_ACCEPT] = { "accept", 1, { { "addr", SP_PT_SOCKADDR } } },
	[SP_EV_BIND] = { "bind", 1, { { "addr", SP_PT_SOCKADDR } } },
	[SP_EV_LISTEN] = { "listen", 1, { { "backlog", SP_PT_S64 } } },
	[SP_EV_SENDTO] = { "sendto", 3, { { "count", SP_PT_U64 }, { "addr", SP_PT_SOCKADDR }, { "data", SP_PT_BYTES } } },
	[SP_EV_RECVFROM] = { "recvfrom", 3, { { "count", SP_PT_U64 }, { "addr", SP_PT_SOCKADDR }, { "data", SP_PT_BYTES } } },
	[SP_EV_SOCKET] = { "socket", 3, { { "domain", SP_PT_U32 }, { "type", SP_PT_U32 }, { "protocol", SP_PT_U32 } } },
	[SP_EV_KILL] = { "kill", 2, { { "target", SP_PT_S64 }, { "sig", SP_PT_U32 } } },
	[SP_EV_PROC_FORK] = { "proc_fork", 3, { { "child_pid", SP_PT_U32 }, { "child_tgid", SP_PT_U32 }, { "child_ns_pid", SP_PT_U32 } } },
	[SP_EV_PROC_EXIT] = { "proc_exit", 1, { { "exit_code", SP_PT_S64 } } },
	[SP_EV_DATA_CHUNK] = { "data_chunk", 2, { { "offset", SP_PT_U64 }, { "data", SP_PT_BYTES } } },
	[SP_EV_IO_REPEAT] = { "io_repeat", 4, { { "of", SP_PT_U32 }, { "count", SP_PT_U64 }, { "bytes", SP_PT_U64 }, { "first_ns", SP_PT_U64 } } },
};
