/* SPDX-License-Identifier: Apache-2.0 */
/* Print the C definition of the event record as JSON, for kmod/schema.test.ts to compare with schema.ts. */
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/ioctl.h>
#include "sp_event_table.h"
#include "sp_markers.h"

#define FIELD(f) printf("%s{\"name\":\"%s\",\"offset\":%zu,\"size\":%zu}", first++ ? "," : "", #f, \
			offsetof(struct sp_event_hdr, f), sizeof(((struct sp_event_hdr *)0)->f))

int main(void)
{
	int first = 0;
	unsigned int i, j;

	printf("{\"version\":%d,\"headerSize\":%d,\"sizeof\":%zu,\"maxParams\":%d,", SP_EVENT_VERSION, SP_HDR_SIZE,
	       sizeof(struct sp_event_hdr), SP_MAX_PARAMS);
	printf("\"rfMore\":%u,\"rfTruncated\":%u,\"paramLenMask\":%u,\"paramTruncated\":%u,", SP_RF_MORE,
	       SP_RF_TRUNCATED, SP_PARAM_LEN_MASK, SP_PARAM_TRUNCATED);
	printf("\"limits\":{\"pathMax\":%d,\"sockaddrMax\":%d,\"snaplen\":%d,\"chunk\":%d,\"stdioMax\":%d,"
	       "\"maxIov\":%d,\"argvMax\":%d},",
	       SP_PATH_MAX, SP_SOCKADDR_MAX, SP_SNAPLEN, SP_CHUNK, SP_STDIO_MAX, SP_MAX_IOV, SP_ARGV_MAX);
	printf("\"markers\":{\"record\":\"%s\",\"recordLen\":%d,\"sentinel\":\"%s\",\"sentinelLen\":%d,\"compared\":%d,\"head\":%d},",
	       SP_MARK_RECORD, SP_MARK_RECORD_LEN, SP_MARK_SENTINEL, SP_MARK_SENTINEL_LEN, SP_MARK_CMP, SP_MARK_HEAD);
	printf("\"fields\":[");
	FIELD(len); FIELD(type); FIELD(version); FIELD(nparams); FIELD(ts_ns); FIELD(duration_ns);
	FIELD(cgroup_id); FIELD(ret); FIELD(flags); FIELD(pid); FIELD(tgid); FIELD(syscall_nr); FIELD(fd);
	FIELD(rflags); FIELD(ppid); FIELD(comm);
	printf("],\"events\":[");
	for (i = 0; i < SP_EV_MAX; i++) {
		printf("%s{\"id\":%u,\"name\":\"%s\",\"params\":[", i ? "," : "", i, sp_event_table[i].name);
		for (j = 0; j < sp_event_table[i].nparams; j++)
			printf("%s{\"name\":\"%s\",\"type\":%d}", j ? "," : "", sp_event_table[i].params[j].name,
			       sp_event_table[i].params[j].type);
		printf("]}");
	}
	printf("]}\n");
	return 0;
}
