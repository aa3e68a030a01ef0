/* A daemon's call layer without sockets, for unit tests of the call state
 * machine: a fake struct ua_sip_ops that records every message the call
 * layer would send, and an event recorder for struct calls_events. Tests
 * feed scripted SIP messages with node_request() and node_response(). */
#ifndef SVOPI_TEST_CALL_FAKE_H
#define SVOPI_TEST_CALL_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/call.h"

#define FAKE_SENT_MAX 32

enum fake_kind { FAKE_REQUEST, FAKE_SEND, FAKE_REPLY };

/* One message the call layer sent. Ownership: msg is owned (a copy). */
struct fake_sent {
	enum fake_kind kind;
	uint8_t *msg;
	size_t len;
	enum sip_method method;		/* FAKE_REQUEST */
	txn_client_cb *cb;		/* FAKE_REQUEST, NULL when forgotten */
	void *cbdata;
	unsigned code;			/* FAKE_REPLY */
	struct txn_server *st;		/* FAKE_REPLY */
};

struct fake_events {
	unsigned added, states, changed, gone, alerts, vucs;
	char state[32];			/* of the last call_state */
	char end_reason[160];
	char alert[256];		/* the last alert */
};

/* One daemon: context, configuration, identity, call layer and fakes.
 * Ownership: everything is owned and freed by node_free. */
struct node {
	char name[16];
	char dir[64];			/* temporary state folder */
	struct svopid d;
	struct calls *cs;
	struct fake_sent sent[FAKE_SENT_MAX];
	size_t nsent;
	struct fake_events ev;
	char txc[FAKE_SENT_MAX];	/* addresses as fake txn_client */
	char txs[FAKE_SENT_MAX];	/* addresses as fake txn_server */
};

/* A daemon for sip:NAME@127.0.0.1 with a fresh identity; NULL on error. */
struct node *node_new(const char *name);
void node_free(struct node *n);
/* The i-th fake server transaction. */
struct txn_server *node_st(struct node *n, size_t i);
/* Feeds a request (bytes) as received on server transaction st; returns
 * what calls_request returned, or -1 when the bytes do not parse. */
int node_request(struct node *n, const uint8_t *msg, size_t len,
	struct txn_server *st);
/* Feeds a response (bytes) to the client transaction of sent[i]. */
int node_response(struct node *n, size_t i, const uint8_t *msg, size_t len);
/* Feeds a transaction error (-ETIMEDOUT, ...) to sent[i]. */
void node_txn_error(struct node *n, size_t i, int err);
/* The last message sent, NULL if none. */
const struct fake_sent *node_last(const struct node *n);
/* Records peer as trusted (now, or age seconds ago) in n's trust store. */
int node_trust(struct node *n, const struct node *peer, int64_t age);
/* True when text occurs in the sent message. */
bool fake_has(const struct fake_sent *s, const char *text);

#endif
