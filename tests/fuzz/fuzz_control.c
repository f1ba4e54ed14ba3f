/*
 * libFuzzer harness: the control protocol's decoders (netd/core/control_proto.c). The
 * request decoder reads what any local user may write to netd's socket; the response
 * decoder what netdctl reads back. Each input goes through both. A request that decodes
 * must name a known command, and a network name exactly when the command takes one.
 * Seeds: tests/fuzz/seeds/control (every command, attach with every option, replies).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netd/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netd_ctl_request req;
	struct netd_diag diag = {{0}};
	json_object *result = NULL;
	bool reply_err = false;
	int ret;

	ret = netd_ctl_request_decode((const char *)data, size, &req, &diag);
	if (ret == 0) {
		if (!req.cmd || req.cmd != netd_ctl_cmd_by_id(req.cmd->cmd) ||
		    req.cmd->needs_name != (req.name[0] != '\0') ||
		    strnlen(req.name, sizeof(req.name)) == sizeof(req.name))
			abort();
		netd_ctl_check_permission(req.cmd, 1000, &diag);
	} else if (req.cmd || (ret != -ENOMEM && !diag.msg[0])) {
		abort(); /* a refused request carries no command, and says why */
	}
	if (netd_ctl_response_decode((const char *)data, size, &result, &reply_err, &diag) == 0)
		json_object_put(result);
	return 0;
}
