/* Registration at the proxy (RFC 3261 §10): REGISTER with digest
 * authentication (401/407 answered once per challenge), refresh at half
 * the granted time, retry after failures, and REGISTER with Expires: 0 at
 * shutdown. */
#ifndef SVOPID_REG_H
#define SVOPID_REG_H

#include "daemon/svopid.h"
#include "daemon/transport.h"

/* Seconds before trying again after a failed registration. */
#define REG_RETRY_SEC 10

int reg_new(struct svopid *d, struct ua *ua, struct reg **ret);
struct reg *reg_free(struct reg *r);
void reg_start(struct reg *r);
/* Sends the un-REGISTER. Returns 1 if svopid_unregistered_for_exit()
 * will follow, 0 if there was nothing to undo. */
int reg_stop(struct reg *r);
/* A connection closed (why: reason text); when it was the one to the
 * proxy, register again soon. */
void reg_transport_closed(struct reg *r, const struct tp_addr *remote,
	const char *why);

#endif
