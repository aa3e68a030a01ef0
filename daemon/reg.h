/* Registration at the proxy (RFC 3261 §10): REGISTER with digest
 * authentication (401/407 answered once per challenge), refresh at half
 * the granted time, retry after failures, and REGISTER with Expires: 0 at
 * shutdown. */
#ifndef SVOPID_REG_H
#define SVOPID_REG_H

#include "daemon/svopid.h"
#include "daemon/transport.h"
#include "daemon/ua.h"

/* Seconds before trying again after a failed registration. */
#define REG_RETRY_SEC 10

enum reg_state {
	REG_UNREGISTERED,
	REG_REGISTERING,
	REG_REGISTERED,
	REG_FAILED,
};

/* What registration tells its owner (svopid.c). */
struct reg_events {
	/* The state or its detail changed (detail: why it failed, or ""). */
	void (*state)(void *ctx, enum reg_state s, const char *detail);
	/* The un-REGISTER of reg_stop finished or gave up. */
	void (*unregistered)(void *ctx);
};

/* ev is borrowed and must outlive the registration. It registers as the
 * closed handler of ua. */
int reg_new(struct svopid *d, struct ua *ua, const struct reg_events *ev,
	void *ctx, struct reg **ret);
struct reg *reg_free(struct reg *r);
void reg_start(struct reg *r);
/* Sends the un-REGISTER. Returns 1 if ev->unregistered will follow, 0 if
 * there was nothing to undo. */
int reg_stop(struct reg *r);
enum reg_state reg_get_state(const struct reg *r);
/* Why it failed, or "". */
const char *reg_get_detail(const struct reg *r);
const char *reg_state_name(enum reg_state s);

#endif
