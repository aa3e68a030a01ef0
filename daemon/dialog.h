/* SIP dialogs (RFC 3261 §12): identity (Call-ID and tags), route set from
 * Record-Route, remote target from Contact, CSeq bookkeeping, and building
 * in-dialog requests with loose (and strict, §12.2.1.1) routing. Pure: no
 * I/O, so the unit test drives it with parsed messages. The UA creates a
 * dialog from a 2xx to INVITE; until secure calls exist no INVITE is
 * answered 2xx, so today only BYE/ACK matching looks dialogs up. */
#ifndef SVOPID_DIALOG_H
#define SVOPID_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "sip-msg.h"

struct dialog {
	char *call_id;
	char *local_tag;
	char *remote_tag;
	char *local_uri;	/* From of our requests (name-addr) */
	char *remote_uri;	/* To of our requests (name-addr) */
	char *remote_target;	/* Contact URI of the peer */
	char *route[SIP_ROUTE_MAX];	/* route set, first hop first */
	size_t nroute;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	bool remote_cseq_set;
};

/* UAS side (§12.1.1): from the request we answer with 2xx and the tag we
 * put in its To. Route set = Record-Route in order. Returns 0, -EBADMSG
 * (no Contact, no From tag), -ENOMEM. */
int dialog_new_uas(const struct sip_msg *req, const char *local_tag,
	struct dialog **ret);
/* UAC side (§12.1.2): from our request (parsed) and its 2xx response.
 * Route set = Record-Route of the response in reverse. */
int dialog_new_uac(const struct sip_msg *req, const struct sip_msg *resp,
	struct dialog **ret);
struct dialog *dialog_free(struct dialog *d);

/* True if m (a request) belongs to d: Call-ID, To tag = local tag, From
 * tag = remote tag (§12.2.2). */
bool dialog_match_request(const struct dialog *d, const struct sip_msg *m);
/* Checks and records the CSeq of an in-dialog request: -EPROTO (answer
 * 500) if lower than the last one; ACK and CANCEL are not checked. */
int dialog_remote_cseq(struct dialog *d, const struct sip_msg *m);

/* The URI of the next hop for in-dialog requests: the first route if
 * any, else the remote target. Borrowed from d. */
const char *dialog_next_hop(const struct dialog *d);

/* Writes the start line and dialog headers of a new in-dialog request
 * (§12.2.1.1): Request-URI and Route (loose routing when the first route
 * has ;lr, else the strict-routing rewrite), Via (given, with branch),
 * Max-Forwards 70, From, To, Call-ID, CSeq (incremented; for ACK the
 * given cseq is used). The caller adds Contact etc. and sip_out_end().
 * Returns 0 or the buf error. */
int dialog_request(struct dialog *d, const char *method, const char *via,
	uint32_t ack_cseq, struct buf *out);

#endif
