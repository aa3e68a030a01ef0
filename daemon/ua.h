/* The SIP user agent core of svopid: owns transports, the transaction
 * layer and registration, and decides what to do with each request. */
#ifndef SVOPID_UA_H
#define SVOPID_UA_H

#include <stdint.h>

#include "daemon/svopid.h"

int ua_new(struct svopid *d, struct ua **ret);
struct ua *ua_free(struct ua *ua);
/* Opens listeners and starts registration when a proxy is configured. */
int ua_start(struct ua *ua);
/* Starts the shutdown (un-REGISTER). Returns 0 when there is nothing to
 * wait for, 1 when svopid_unregistered_for_exit() will be called. */
int ua_stop(struct ua *ua);

/* Sends OPTIONS to uri (through the proxy when one is configured) and calls
 * done with the final status code, or a negative errno (-ETIMEDOUT, ...)
 * and the round-trip time. Returns 0 or -EINVAL for a bad URI. */
int ua_ping(struct ua *ua, const char *uri,
	void (*done)(void *userdata, int status, const char *reason,
		uint64_t rtt_us),
	void *userdata);

#endif
