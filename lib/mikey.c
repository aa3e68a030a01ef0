#include <errno.h>
#include <string.h>

#include "mikey.h"

/* Seconds from 1900-01-01 (NTP epoch) to 1970-01-01. */
#define NTP_UNIX_OFFSET	2208988800ULL

#define FAIL(rc_, off_, what_) do { \
	if (err) { \
		err->off = (off_); \
		err->what = (what_); \
	} \
	return (rc_); \
} while (0)

static int
dh_value_len(uint8_t group)
{
	switch (group) {
	case MIKEY_DH_OAKLEY5:
		return 192;
	case MIKEY_DH_OAKLEY1:
		return 96;
	case MIKEY_DH_OAKLEY2:
		return 128;
	default:
		return -1;
	}
}

static int
auth_data_len(uint8_t alg)
{
	switch (alg) {
	case 0:
		return 0;	/* NULL */
	case 1:
		return 20;	/* HMAC-SHA-1-160 */
	default:
		return -1;
	}
}

/* Walks an SP parameter list; it must end exactly at len. */
static int
sp_params_check(const uint8_t *p, size_t len, size_t *ret_bad)
{
	size_t off = 0, n = 0;

	while (off < len) {
		if (len - off < 2) {
			*ret_bad = off;
			return -EBADMSG;
		}
		if (len - off - 2 < p[off + 1]) {
			*ret_bad = off;
			return -EBADMSG;
		}
		if (++n > MIKEY_SP_PARAMS_MAX) {
			*ret_bad = off;
			return -E2BIG;
		}
		off += 2 + (size_t)p[off + 1];
	}
	return 0;
}

static int
decode_hdr(struct buf_reader *r, struct mikey_hdr *h, uint8_t *ret_next,
    struct mikey_parse_err *err)
{
	uint8_t vp;

	if (buf_read_u8(r, &h->version) < 0 ||
	    buf_read_u8(r, &h->data_type) < 0 ||
	    buf_read_u8(r, ret_next) < 0 ||
	    buf_read_u8(r, &vp) < 0 ||
	    buf_read_u32(r, &h->csb_id) < 0 ||
	    buf_read_u8(r, &h->n_cs) < 0 ||
	    buf_read_u8(r, &h->map_type) < 0)
		FAIL(-EBADMSG, r->off, "HDR truncated");
	if (h->version != 1)
		FAIL(-EPROTONOSUPPORT, 0, "HDR version is not 1");
	h->v = vp >> 7;
	h->prf_func = vp & 0x7f;
	if (h->map_type != MIKEY_MAP_SRTP_ID)
		FAIL(-EPROTONOSUPPORT, 9, "HDR CS ID map type not SRTP-ID");
	if (h->n_cs > MIKEY_CS_MAX)
		FAIL(-E2BIG, 8, "HDR #CS over limit");
	for (unsigned i = 0; i < h->n_cs; i++) {
		size_t at = r->off;

		if (buf_read_u8(r, &h->cs[i].policy_no) < 0 ||
		    buf_read_u32(r, &h->cs[i].ssrc) < 0 ||
		    buf_read_u32(r, &h->cs[i].roc) < 0)
			FAIL(-EBADMSG, at, "HDR CS map truncated");
	}
	return 0;
}

/* Reads one payload of the given type at r's position; sets *ret_next to
 * the type of the one after it. */
static int
decode_payload(struct buf_reader *r, uint8_t type, struct mikey_payload *p,
    uint8_t *ret_next, struct mikey_parse_err *err)
{
	size_t start = r->off;
	uint16_t u16;
	uint8_t u8;
	int n;

	memset(p, 0, sizeof(*p));
	p->type = type;
	p->off = start;

	if (type == MIKEY_PT_SIGN) {
		if (buf_read_u16(r, &u16) < 0)
			FAIL(-EBADMSG, start, "SIGN truncated");
		p->u.sign.s_type = u16 >> 12;
		p->u.sign.len = u16 & 0x0fff;
		if (p->u.sign.len == 0)
			FAIL(-EBADMSG, start, "SIGN length 0");
		if (p->u.sign.len > MIKEY_SIGN_MAX)
			FAIL(-E2BIG, start, "SIGN length over limit");
		if (buf_read_bytes(r, p->u.sign.len, &p->u.sign.sig) < 0)
			FAIL(-EBADMSG, start, "SIGN signature truncated");
		*ret_next = MIKEY_PT_LAST;
		p->len = r->off - start;
		return 0;
	}

	if (buf_read_u8(r, ret_next) < 0)
		FAIL(-EBADMSG, start, "payload truncated");

	switch (type) {
	case MIKEY_PT_T:
		if (buf_read_u8(r, &p->u.t.ts_type) < 0)
			FAIL(-EBADMSG, start, "T truncated");
		if (p->u.t.ts_type == MIKEY_TS_NTP_UTC ||
		    p->u.t.ts_type == MIKEY_TS_NTP) {
			if (buf_read_u64(r, &p->u.t.value) < 0)
				FAIL(-EBADMSG, start, "T value truncated");
		} else if (p->u.t.ts_type == MIKEY_TS_COUNTER) {
			uint32_t v;

			if (buf_read_u32(r, &v) < 0)
				FAIL(-EBADMSG, start, "T value truncated");
			p->u.t.value = v;
		} else {
			FAIL(-EPROTONOSUPPORT, start + 1, "T: unknown TS type");
		}
		break;
	case MIKEY_PT_RAND:
		if (buf_read_u8(r, &p->u.rand.len) < 0 ||
		    buf_read_bytes(r, p->u.rand.len, &p->u.rand.data) < 0)
			FAIL(-EBADMSG, start, "RAND truncated");
		if (p->u.rand.len == 0)
			FAIL(-EBADMSG, start + 1, "RAND length 0");
		break;
	case MIKEY_PT_ID:
	case MIKEY_PT_CERT:
	case MIKEY_PT_GEN_EXT:
		/* The three share type(8) | length(16) | data. */
		if (buf_read_u8(r, &p->u.id.type) < 0 ||
		    buf_read_u16(r, &p->u.id.len) < 0)
			FAIL(-EBADMSG, start, "ID/CERT/EXT header truncated");
		if (type == MIKEY_PT_ID && p->u.id.len > MIKEY_ID_MAX)
			FAIL(-E2BIG, start + 2, "ID length over limit");
		if (type == MIKEY_PT_CERT && p->u.id.len > MIKEY_CERT_MAX)
			FAIL(-E2BIG, start + 2, "CERT length over limit");
		if (buf_read_bytes(r, p->u.id.len, &p->u.id.data) < 0)
			FAIL(-EBADMSG, start + 2, "ID/CERT/EXT data truncated");
		break;
	case MIKEY_PT_SP: {
		size_t bad = 0;
		int rc;

		if (buf_read_u8(r, &p->u.sp.policy_no) < 0 ||
		    buf_read_u8(r, &p->u.sp.prot_type) < 0 ||
		    buf_read_u16(r, &p->u.sp.params_len) < 0)
			FAIL(-EBADMSG, start, "SP header truncated");
		if (buf_read_bytes(r, p->u.sp.params_len, &p->u.sp.params) < 0)
			FAIL(-EBADMSG, start + 3, "SP parameters truncated");
		rc = sp_params_check(p->u.sp.params, p->u.sp.params_len, &bad);
		if (rc == -E2BIG)
			FAIL(rc, start + 5 + bad, "SP: too many parameters");
		if (rc < 0)
			FAIL(rc, start + 5 + bad, "SP parameter overruns SP");
		break;
	}
	case MIKEY_PT_DH:
		if (buf_read_u8(r, &p->u.dh.group) < 0)
			FAIL(-EBADMSG, start, "DH truncated");
		n = dh_value_len(p->u.dh.group);
		if (n < 0)
			FAIL(-EPROTONOSUPPORT, start + 1, "DH: unknown group");
		p->u.dh.value_len = (uint16_t)n;
		if (buf_read_bytes(r, (size_t)n, &p->u.dh.value) < 0)
			FAIL(-EBADMSG, start + 2, "DH value truncated");
		if (buf_read_u8(r, &u8) < 0)
			FAIL(-EBADMSG, r->off, "DH KV truncated");
		p->u.dh.kv = u8 & 0x0f;
		if (p->u.dh.kv == 1 || p->u.dh.kv == 2) {
			size_t kv_start = r->off;
			int parts = p->u.dh.kv == 1 ? 1 : 2;

			for (int i = 0; i < parts; i++)
				if (buf_read_u8(r, &u8) < 0 ||
				    buf_skip(r, u8) < 0)
					FAIL(-EBADMSG, kv_start,
					    "DH KV data truncated");
			p->u.dh.kv_data = r->data + kv_start;
			p->u.dh.kv_len = (uint16_t)(r->off - kv_start);
		} else if (p->u.dh.kv != 0) {
			FAIL(-EPROTONOSUPPORT, r->off - 1, "DH: unknown KV type");
		}
		break;
	case MIKEY_PT_V:
		if (buf_read_u8(r, &p->u.v.auth_alg) < 0)
			FAIL(-EBADMSG, start, "V truncated");
		n = auth_data_len(p->u.v.auth_alg);
		if (n < 0)
			FAIL(-EPROTONOSUPPORT, start + 1, "V: unknown auth alg");
		p->u.v.len = (uint8_t)n;
		if (buf_read_bytes(r, (size_t)n, &p->u.v.data) < 0)
			FAIL(-EBADMSG, start + 2, "V data truncated");
		break;
	case MIKEY_PT_ERR:
		if (buf_read_u8(r, &p->u.err.code) < 0 ||
		    buf_read_u16(r, &u16) < 0)
			FAIL(-EBADMSG, start, "ERR truncated");
		break;
	case MIKEY_PT_KEMAC:
		if (buf_read_u8(r, &p->u.kemac.encr_alg) < 0 ||
		    buf_read_u16(r, &p->u.kemac.encr_len) < 0 ||
		    buf_read_bytes(r, p->u.kemac.encr_len,
			&p->u.kemac.encr) < 0 ||
		    buf_read_u8(r, &p->u.kemac.mac_alg) < 0)
			FAIL(-EBADMSG, start, "KEMAC truncated");
		n = auth_data_len(p->u.kemac.mac_alg);
		if (n < 0)
			FAIL(-EPROTONOSUPPORT, r->off - 1,
			    "KEMAC: unknown MAC alg");
		p->u.kemac.mac_len = (uint8_t)n;
		if (buf_read_bytes(r, (size_t)n, &p->u.kemac.mac) < 0)
			FAIL(-EBADMSG, r->off, "KEMAC MAC truncated");
		break;
	case MIKEY_PT_PKE:
		if (buf_read_u16(r, &u16) < 0)
			FAIL(-EBADMSG, start, "PKE truncated");
		p->u.pke.c = u16 >> 14;
		p->u.pke.len = u16 & 0x3fff;
		if (buf_read_bytes(r, p->u.pke.len, &p->u.pke.data) < 0)
			FAIL(-EBADMSG, start + 1, "PKE data truncated");
		break;
	default:
		FAIL(-EPROTONOSUPPORT, start, "payload type not supported");
	}
	p->len = r->off - start;
	return 0;
}

int
mikey_decode(const uint8_t *data, size_t len, struct mikey_msg *ret_msg,
    struct mikey_parse_err *err)
{
	struct mikey_msg m;
	struct buf_reader r;
	uint8_t next;
	int rc;

	if (len > MIKEY_MSG_MAX)
		FAIL(-E2BIG, MIKEY_MSG_MAX, "message over MIKEY_MSG_MAX");
	memset(&m, 0, sizeof(m));
	buf_reader_init(&r, data, len);
	rc = decode_hdr(&r, &m.hdr, &next, err);
	if (rc < 0)
		return rc;

	while (next != MIKEY_PT_LAST) {
		uint8_t type = next;

		if (m.n == MIKEY_PAYLOADS_MAX)
			FAIL(-E2BIG, r.off, "too many payloads");
		rc = decode_payload(&r, type, &m.p[m.n], &next, err);
		if (rc < 0)
			return rc;
		m.n++;
		if (type == MIKEY_PT_SIGN) {
			if (buf_reader_left(&r) != 0)
				FAIL(-EBADMSG, r.off,
				    "bytes after SIGN (must be last)");
			m.signed_len = len - m.p[m.n - 1].u.sign.len;
		}
	}
	if (buf_reader_left(&r) != 0)
		FAIL(-EBADMSG, r.off, "trailing bytes after last payload");

	m.raw = data;
	m.raw_len = len;
	*ret_msg = m;
	return 0;
}

static int
encode_payload(const struct mikey_payload *p, uint8_t next, struct buf *out,
    size_t *ret_sig_off)
{
	switch (p->type) {
	case MIKEY_PT_SIGN:
		if (p->u.sign.len == 0 || p->u.sign.len > 0x0fff ||
		    p->u.sign.s_type > 15)
			return -EINVAL;
		buf_put_u16(out, (uint16_t)(p->u.sign.s_type << 12 |
		    p->u.sign.len));
		if (p->u.sign.sig) {
			buf_put_bytes(out, p->u.sign.sig, p->u.sign.len);
		} else {
			long at = buf_reserve(out, p->u.sign.len);

			if (at >= 0 && ret_sig_off)
				*ret_sig_off = (size_t)at;
		}
		return 0;
	case MIKEY_PT_PKE:
		if (p->u.pke.len > 0x3fff || p->u.pke.c > 3)
			return -EINVAL;
		buf_put_u8(out, next);
		buf_put_u16(out, (uint16_t)(p->u.pke.c << 14 | p->u.pke.len));
		buf_put_bytes(out, p->u.pke.data, p->u.pke.len);
		return 0;
	default:
		break;
	}

	buf_put_u8(out, next);
	switch (p->type) {
	case MIKEY_PT_T:
		buf_put_u8(out, p->u.t.ts_type);
		if (p->u.t.ts_type == MIKEY_TS_COUNTER)
			buf_put_u32(out, (uint32_t)p->u.t.value);
		else if (p->u.t.ts_type <= MIKEY_TS_NTP)
			buf_put_u64(out, p->u.t.value);
		else
			return -EINVAL;
		break;
	case MIKEY_PT_RAND:
		buf_put_u8(out, p->u.rand.len);
		buf_put_bytes(out, p->u.rand.data, p->u.rand.len);
		break;
	case MIKEY_PT_ID:
	case MIKEY_PT_CERT:
	case MIKEY_PT_GEN_EXT:
		buf_put_u8(out, p->u.id.type);
		buf_put_u16(out, p->u.id.len);
		buf_put_bytes(out, p->u.id.data, p->u.id.len);
		break;
	case MIKEY_PT_SP:
		buf_put_u8(out, p->u.sp.policy_no);
		buf_put_u8(out, p->u.sp.prot_type);
		buf_put_u16(out, p->u.sp.params_len);
		buf_put_bytes(out, p->u.sp.params, p->u.sp.params_len);
		break;
	case MIKEY_PT_DH:
		if (dh_value_len(p->u.dh.group) != p->u.dh.value_len ||
		    p->u.dh.kv > 15)
			return -EINVAL;
		buf_put_u8(out, p->u.dh.group);
		buf_put_bytes(out, p->u.dh.value, p->u.dh.value_len);
		buf_put_u8(out, p->u.dh.kv);
		buf_put_bytes(out, p->u.dh.kv_data, p->u.dh.kv_len);
		break;
	case MIKEY_PT_V:
		if (auth_data_len(p->u.v.auth_alg) != p->u.v.len)
			return -EINVAL;
		buf_put_u8(out, p->u.v.auth_alg);
		buf_put_bytes(out, p->u.v.data, p->u.v.len);
		break;
	case MIKEY_PT_ERR:
		buf_put_u8(out, p->u.err.code);
		buf_put_u16(out, 0);
		break;
	case MIKEY_PT_KEMAC:
		if (auth_data_len(p->u.kemac.mac_alg) != p->u.kemac.mac_len)
			return -EINVAL;
		buf_put_u8(out, p->u.kemac.encr_alg);
		buf_put_u16(out, p->u.kemac.encr_len);
		buf_put_bytes(out, p->u.kemac.encr, p->u.kemac.encr_len);
		buf_put_u8(out, p->u.kemac.mac_alg);
		buf_put_bytes(out, p->u.kemac.mac, p->u.kemac.mac_len);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int
mikey_encode(const struct mikey_msg *msg, struct buf *out,
    size_t *ret_sig_off)
{
	const struct mikey_hdr *h = &msg->hdr;
	int rc;

	if (msg->n > MIKEY_PAYLOADS_MAX || h->n_cs > MIKEY_CS_MAX ||
	    h->prf_func > 0x7f)
		return -EINVAL;
	buf_put_u8(out, h->version);
	buf_put_u8(out, h->data_type);
	buf_put_u8(out, msg->n ? msg->p[0].type : MIKEY_PT_LAST);
	buf_put_u8(out, (uint8_t)((h->v ? 0x80 : 0) | h->prf_func));
	buf_put_u32(out, h->csb_id);
	buf_put_u8(out, h->n_cs);
	buf_put_u8(out, h->map_type);
	for (unsigned i = 0; i < h->n_cs; i++) {
		buf_put_u8(out, h->cs[i].policy_no);
		buf_put_u32(out, h->cs[i].ssrc);
		buf_put_u32(out, h->cs[i].roc);
	}
	for (size_t i = 0; i < msg->n; i++) {
		uint8_t next = i + 1 < msg->n ? msg->p[i + 1].type :
		    MIKEY_PT_LAST;

		if (msg->p[i].type == MIKEY_PT_SIGN && i + 1 != msg->n)
			return -EINVAL;
		rc = encode_payload(&msg->p[i], next, out, ret_sig_off);
		if (rc < 0)
			return rc;
	}
	return out->err;
}

int
mikey_sp_param(const struct mikey_payload *sp, uint8_t type,
    const uint8_t **ret_val, uint8_t *ret_len)
{
	const uint8_t *p = sp->u.sp.params;
	size_t len = sp->u.sp.params_len, off = 0;

	if (sp->type != MIKEY_PT_SP)
		return 0;
	while (len - off >= 2 && len - off - 2 >= p[off + 1]) {
		if (p[off] == type) {
			*ret_val = p + off + 2;
			*ret_len = p[off + 1];
			return 1;
		}
		off += 2 + (size_t)p[off + 1];
	}
	return 0;
}

int
mikey_find(const struct mikey_msg *msg, uint8_t type, size_t from)
{
	for (size_t i = from; i < msg->n; i++)
		if (msg->p[i].type == type)
			return (int)i;
	return -1;
}

const char *
mikey_pt_name(uint8_t type)
{
	switch (type) {
	case MIKEY_PT_LAST: return "Last";
	case MIKEY_PT_KEMAC: return "KEMAC";
	case MIKEY_PT_PKE: return "PKE";
	case MIKEY_PT_DH: return "DH";
	case MIKEY_PT_SIGN: return "SIGN";
	case MIKEY_PT_T: return "T";
	case MIKEY_PT_ID: return "ID";
	case MIKEY_PT_CERT: return "CERT";
	case MIKEY_PT_CHASH: return "CHASH";
	case MIKEY_PT_V: return "V";
	case MIKEY_PT_SP: return "SP";
	case MIKEY_PT_RAND: return "RAND";
	case MIKEY_PT_ERR: return "ERR";
	case MIKEY_PT_KEY_DATA: return "Key data";
	case MIKEY_PT_GEN_EXT: return "General extension";
	default: return "?";
	}
}

const char *
mikey_dt_name(uint8_t dt)
{
	static const char *const names[] = {
		"Pre-shared", "PSK verification", "Public key",
		"PK verification", "D-H init", "D-H resp", "Error",
	};

	return dt < sizeof(names) / sizeof(names[0]) ? names[dt] : "?";
}

const char *
mikey_err_name(uint8_t code)
{
	static const char *const names[] = {
		"Authentication failure",
		"Invalid timestamp",
		"PRF function not supported",
		"MAC algorithm not supported",
		"Encryption algorithm not supported",
		"Hash function not supported",
		"DH group not supported",
		"ID not supported",
		"Certificate not supported",
		"SP type not supported",
		"SP parameters not supported",
		"Data type not supported",
		"Unspecified error",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "?";
}

const char *
mikey_sp_param_name(uint8_t type)
{
	static const char *const names[] = {
		"Encryption algorithm",
		"Session Encr. key length",
		"Authentication algorithm",
		"Session Auth. key length",
		"Session Salt key length",
		"SRTP Pseudo Random Function",
		"Key derivation rate",
		"SRTP encryption off/on",
		"SRTCP encryption off/on",
		"sender's FEC order",
		"SRTP authentication off/on",
		"Authentication tag length",
		"SRTP prefix length",
	};

	if (type == MIKEY_SP_AEAD_TAG_LEN)
		return "AEAD authentication tag length";
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

uint64_t
mikey_ntp_from_unix(int64_t sec, uint32_t nsec)
{
	uint64_t frac = ((uint64_t)nsec << 32) / 1000000000u;

	return ((uint64_t)sec + NTP_UNIX_OFFSET) << 32 | (frac & 0xffffffffu);
}

int64_t
mikey_ntp_to_unix(uint64_t ntp)
{
	return (int64_t)(ntp >> 32) - (int64_t)NTP_UNIX_OFFSET;
}
