/* See dialog.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "daemon/dialog.h"
#include "sip-out.h"
#include "sip-uri.h"

struct dialog *
dialog_free(struct dialog *d)
{
	if (!d)
		return NULL;
	free(d->call_id);
	free(d->local_tag);
	free(d->remote_tag);
	free(d->local_uri);
	free(d->remote_uri);
	free(d->remote_target);
	for (size_t i = 0; i < d->nroute; i++)
		free(d->route[i]);
	free(d);
	return NULL;
}

/* "<uri>;params" of a From/To without its tag parameter (the dialog keeps
 * tags apart and writes them itself). */
static char *
dialog_addr_without_tag(const struct sip_nameaddr *na)
{
	struct buf b;
	struct sip_str rest = na->params;
	uint8_t *out;
	size_t n;

	buf_init(&b, SIP_URI_MAX * 2);
	if (!sip_str_empty(na->display)) {
		buf_put_bytes(&b, na->display.p, na->display.len);
		buf_put_u8(&b, ' ');
	}
	buf_put_u8(&b, '<');
	buf_put_bytes(&b, na->uri.raw.p, na->uri.raw.len);
	buf_put_u8(&b, '>');
	/* Copy each ;param except tag. */
	while (rest.len > 0) {
		const char *semi;
		size_t len;

		while (rest.len && (*rest.p == ';' || *rest.p == ' ' ||
		    *rest.p == '\t')) {
			rest.p++;
			rest.len--;
		}
		if (!rest.len)
			break;
		semi = memchr(rest.p, ';', rest.len);
		len = semi ? (size_t)(semi - rest.p) : rest.len;
		if (!(len >= 3 && strncasecmp(rest.p, "tag", 3) == 0 &&
		    (len == 3 || rest.p[3] == '=' || rest.p[3] == ' '))) {
			buf_put_u8(&b, ';');
			buf_put_bytes(&b, rest.p, len);
		}
		rest.p += len;
		rest.len -= len;
	}
	buf_put_u8(&b, 0);
	if (buf_steal(&b, &out, &n) < 0)
		return NULL;
	return (char *)out;
}

static int
dialog_common(const struct sip_msg *m, const struct sip_nameaddr *contact,
	struct dialog **ret)
{
	struct dialog *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->call_id = sip_str_dup(m->call_id);
	d->remote_target = sip_str_dup(contact->uri.raw);
	if (!d->call_id || !d->remote_target) {
		dialog_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

int
dialog_new_uas(const struct sip_msg *req, const char *local_tag,
	struct dialog **ret)
{
	struct dialog *d;
	int r;

	if (req->ncontact != 1 || sip_str_empty(req->from.tag) ||
	    sip_str_empty(req->call_id) || !req->has_cseq)
		return -EBADMSG;
	r = dialog_common(req, &req->contact[0], &d);
	if (r < 0)
		return r;
	d->local_tag = strdup(local_tag);
	d->remote_tag = sip_str_dup(req->from.tag);
	d->local_uri = dialog_addr_without_tag(&req->to);
	d->remote_uri = dialog_addr_without_tag(&req->from);
	d->remote_cseq = req->cseq;
	d->remote_cseq_set = true;
	/* Our own requests start from a random CSeq (§8.1.1.5). */
	RAND_bytes((unsigned char *)&d->local_cseq, sizeof(d->local_cseq));
	d->local_cseq &= 0x7fff;
	for (size_t i = 0; i < req->nrecord_route; i++) {
		d->route[i] = sip_str_dup(req->record_route[i].raw);
		if (!d->route[i])
			break;
		d->nroute++;
	}
	if (!d->local_tag || !d->remote_tag || !d->local_uri ||
	    !d->remote_uri || d->nroute != req->nrecord_route) {
		dialog_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

int
dialog_new_uac(const struct sip_msg *req, const struct sip_msg *resp,
	struct dialog **ret)
{
	struct dialog *d;
	int r;

	if (resp->ncontact != 1 || sip_str_empty(resp->to.tag) ||
	    sip_str_empty(req->from.tag) || !req->has_cseq)
		return -EBADMSG;
	r = dialog_common(req, &resp->contact[0], &d);
	if (r < 0)
		return r;
	d->local_tag = sip_str_dup(req->from.tag);
	d->remote_tag = sip_str_dup(resp->to.tag);
	d->local_uri = dialog_addr_without_tag(&req->from);
	d->remote_uri = dialog_addr_without_tag(&req->to);
	d->local_cseq = req->cseq;
	for (size_t i = resp->nrecord_route; i > 0; i--) {
		d->route[d->nroute] = sip_str_dup(resp->record_route[i - 1].raw);
		if (!d->route[d->nroute])
			break;
		d->nroute++;
	}
	if (!d->local_tag || !d->remote_tag || !d->local_uri ||
	    !d->remote_uri || d->nroute != resp->nrecord_route) {
		dialog_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

bool
dialog_match_request(const struct dialog *d, const struct sip_msg *m)
{
	return sip_str_eq(m->call_id, d->call_id) &&
		sip_str_eq(m->to.tag, d->local_tag) &&
		sip_str_eq(m->from.tag, d->remote_tag);
}

int
dialog_remote_cseq(struct dialog *d, const struct sip_msg *m)
{
	if (m->method_id == SIP_METHOD_ACK || m->method_id == SIP_METHOD_CANCEL)
		return 0;
	if (d->remote_cseq_set && m->cseq < d->remote_cseq)
		return -EPROTO;
	d->remote_cseq = m->cseq;
	d->remote_cseq_set = true;
	return 0;
}

/* The URI inside a route entry "<sip:p;lr>;x" (or a bare addr-spec). */
static int
dialog_route_uri(const char *route, struct sip_nameaddr *ret)
{
	struct sip_str s = { route, strlen(route) };

	return sip_nameaddr_parse(s, ret);
}

const char *
dialog_next_hop(const struct dialog *d)
{
	return d->nroute > 0 ? d->route[0] : d->remote_target;
}

int
dialog_request(struct dialog *d, const char *method, const char *via,
	uint32_t ack_cseq, struct buf *out)
{
	struct sip_nameaddr first;
	bool strict = false;
	uint32_t cseq;

	if (d->nroute > 0) {
		if (dialog_route_uri(d->route[0], &first) < 0)
			return -EBADMSG;
		strict = !first.uri.lr;
	}
	if (strict) {
		/* §12.2.1.1: the first route becomes the Request-URI (its
		 * URI without header params), the remote target goes last. */
		char *ruri = sip_str_dup(first.uri.raw);

		if (!ruri)
			return -ENOMEM;
		sip_out_request(out, method, ruri);
		free(ruri);
	} else {
		sip_out_request(out, method, d->remote_target);
	}
	sip_out_header(out, "Via", via);
	sip_out_header(out, "Max-Forwards", "70");
	sip_out_headerf(out, "From", "%s;tag=%s", d->local_uri, d->local_tag);
	sip_out_headerf(out, "To", "%s;tag=%s", d->remote_uri, d->remote_tag);
	sip_out_header(out, "Call-ID", d->call_id);
	if (strcmp(method, "ACK") == 0 || strcmp(method, "CANCEL") == 0) {
		cseq = ack_cseq;
	} else {
		if (d->local_cseq >= SIP_CSEQ_MAX)
			return -E2BIG;
		cseq = ++d->local_cseq;
	}
	sip_out_headerf(out, "CSeq", "%u %s", cseq, method);
	for (size_t i = strict ? 1 : 0; i < d->nroute; i++)
		sip_out_header(out, "Route", d->route[i]);
	if (strict)
		sip_out_headerf(out, "Route", "<%s>", d->remote_target);
	return out->err;
}
