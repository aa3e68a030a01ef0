/* The RFC 3261 §17 transaction layer: client and server transactions for
 * INVITE and non-INVITE requests with timers A, B, D, E, F, G, H, I, J and
 * K (T1 = 500 ms, T2 = 4 s, T4 = 5 s); retransmissions over UDP only.
 * Matching: responses by top Via branch and CSeq method (§17.1.3),
 * requests by branch, sent-by and method (§17.2.3), ACK to its INVITE. */
#ifndef SVOPID_TXN_H
#define SVOPID_TXN_H

#include <stdint.h>

#include "daemon/transport.h"
#include "sip-msg.h"

#define TXN_T1_MS 500
#define TXN_T2_MS 4000
#define TXN_T4_MS 5000
/* Live server transactions we keep; requests beyond are dropped (the
 * peer retransmits). Cheap requests never get one (txn_handler.stateless),
 * so what counts is INVITE, BYE, CANCEL and OPTIONS with an offer. The
 * last TXN_SERVER_RESERVE are kept for the reserved address (the proxy)
 * and for requests within a dialog (a To tag), and one source address
 * other than the reserved one holds at most TXN_PER_SOURCE. */
#define TXN_SERVER_MAX 8192
#define TXN_SERVER_RESERVE 1024
#define TXN_PER_SOURCE 128
#define TXN_BRANCH_MAX 48

struct txn_layer;
struct txn_server;
struct txn_client;

struct txn_handler {
	/* A new request; the TU answers with txn_server_reply() (now or
	 * later). m is valid during the call only. For CANCEL, invite is
	 * the INVITE transaction it cancels, or NULL. */
	void (*request)(void *userdata, struct txn_server *st,
		const struct sip_msg *m, const struct tp_source *src,
		struct txn_server *invite);
	/* A new request before any transaction is made for it: true when
	 * the TU answered it statelessly (or dropped it), so none is made.
	 * May be NULL. */
	bool (*stateless)(void *userdata, const struct sip_msg *m,
		const struct tp_source *src);
	/* An ACK that matches no transaction (for a 2xx), or NULL. */
	void (*ack)(void *userdata, const struct sip_msg *m,
		const struct tp_source *src);
};

/* Called for every response (provisional and final) of a client
 * transaction; after a final response, or with m == NULL and err
 * -ETIMEDOUT (Timer B/F), -ECONNRESET (transport failure) or -ECANCELED
 * (the layer is freed), the TU hears nothing more from it. */
typedef void txn_client_cb(void *userdata, const struct sip_msg *m, int err);

int txn_layer_new(struct svopid *d, struct transport *tp,
	const struct txn_handler *h, void *userdata, struct txn_layer **ret);
struct txn_layer *txn_layer_free(struct txn_layer *l);
/* The address (host only, any port) whose requests may use the reserve
 * and are not bounded per source: the proxy's. */
void txn_layer_reserve_for(struct txn_layer *l, const struct tp_addr *a);
/* Live server transactions (for tests and logs). */
size_t txn_layer_nservers(const struct txn_layer *l);
/* Feeds a received message; takes ownership of m. */
void txn_layer_recv(struct txn_layer *l, struct sip_msg *m,
	const struct tp_source *src);
/* A connection we opened closed: fails the client transactions that
 * were using it. */
void txn_layer_closed(struct txn_layer *l, const struct tp_addr *remote);

/* A fresh RFC 3261 branch ("z9hG4bK" + random hex) into out. */
void txn_new_branch(char out[TXN_BRANCH_MAX]);

/* Starts a client transaction for the request in req[0..len) (whose top
 * Via carries branch) towards dest. Returns 0 or a negative errno (the
 * callback is then never called). */
int txn_client_start(struct txn_layer *l, const struct tp_dest *dest,
	const uint8_t *req, size_t len, enum sip_method method,
	const char *branch, txn_client_cb *cb, void *userdata,
	struct txn_client **ret);
/* The TU sent msg to dest outside any transaction: an ACK of a 2xx is
 * kept by its Accepted INVITE to repeat for retransmitted 2xx. */
void txn_layer_sent(struct txn_layer *l, const struct tp_dest *dest,
	const uint8_t *msg, size_t len);
/* Detaches the TU: the transaction finishes silently. */
void txn_client_forget(struct txn_client *t);

/* Sends a response (bytes built by the TU) and moves the transaction on.
 * code is the status in the bytes. */
int txn_server_reply(struct txn_server *st, unsigned code,
	const uint8_t *resp, size_t len);
/* What becomes of a server transaction the TU holds: cb hears once, with
 * -ECANCELED when the transaction is dropped before the TU answered (no
 * final response within 64*T1 + T4: the TU must forget st), or, after a
 * 2xx to an INVITE (repeated until its ACK, RFC 3261 §13.3.1.4), with 0
 * when the ACK came or -ETIMEDOUT after 64*T1 without one. Nothing after
 * another final response, nor after the layer is freed. id is the TU's;
 * a later call replaces cb. Returns -EINVAL when st is past all that. */
typedef void txn_ack_cb(void *userdata, unsigned id, int err);
int txn_server_watch(struct txn_server *st, txn_ack_cb *cb,
	void *userdata, unsigned id);

/* True while no final response was sent. */
bool txn_server_pending(const struct txn_server *st);

#endif
