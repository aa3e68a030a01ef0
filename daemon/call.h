/* Secure calls (SPEC §4): the pre-call MIKEY exchange in OPTIONS, peer
 * validation from the trust store or at the trust server, VUC prompts,
 * the INVITE that re-uses the exchange, answer, SRTP media and hang-up;
 * the D-Bus objects /org/svopi/Call/N (org.svopi.Call1) and the call,
 * enrolment, VUC and trust methods of org.svopi.Daemon1. docs/calls.md. */
#ifndef SVOPID_CALL_H
#define SVOPID_CALL_H

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "daemon/svopid.h"
#include "daemon/transport.h"
#include "daemon/txn.h"

#define CALL_IFACE "org.svopi.Call1"
#define CALL_PATH_PREFIX "/org/svopi/Call/"
/* Ended calls kept on the bus (for `svopictl calls`). */
#define CALL_ENDED_KEEP 32
/* Pre-call exchanges (OPTIONS answered, no INVITE yet) at most. */
#define CALL_PRECALL_MAX 64

/* Opens the trust store and the trust client. Returns 0 or -errno. */
int calls_new(struct svopid *d);
/* Shutdown: ends every call (BYE, CANCEL or 480 as fits). */
void calls_stop(struct svopid *d);
void calls_free(struct svopid *d);

/* A request from the UA: true when a call took it (and answered or will
 * answer), false to let the UA apply its defaults. */
bool calls_request(struct svopid *d, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite);
/* An ACK outside a transaction (for a 2xx of ours). */
void calls_ack(struct svopid *d, const struct sip_msg *m);

/* org.svopi.Daemon1 members implemented here (vtable in bus.c). */
#define CALLS_METHOD(name) \
	int name(sd_bus_message *m, void *userdata, sd_bus_error *e)
CALLS_METHOD(calls_method_dial);
CALLS_METHOD(calls_method_enroll);
CALLS_METHOD(calls_method_enter_vuc);
CALLS_METHOD(calls_method_list_calls);
CALLS_METHOD(calls_method_vuc_list);
CALLS_METHOD(calls_method_trust_list);
CALLS_METHOD(calls_method_trust_forget);

#endif
