/* svopid configuration (SPEC §5): INI files read in order
 * SYSCONFDIR/svopi/svopid.conf, then $XDG_CONFIG_HOME/svopi/svopid.conf
 * (later keys override earlier ones), or only the file given with --config.
 * Unknown sections or keys and bad values are errors naming file:line. */
#ifndef SVOPID_CONF_H
#define SVOPID_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_LISTEN_MAX 8
#define CONF_HOST_MAX 256

enum conf_proto { CONF_PROTO_UDP, CONF_PROTO_TCP, CONF_PROTO_TLS };

struct conf_listen {
	enum conf_proto proto;
	char host[CONF_HOST_MAX];
	unsigned port;
};

enum conf_audio { CONF_AUDIO_PULSE, CONF_AUDIO_FILE, CONF_AUDIO_NULL };
/* [media] sink/source: longest name, and its characters. */
#define CONF_DEVICE_MAX		255
#define CONF_DEVICE_CHARS	"abcdefghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:@"


enum conf_codec { CONF_CODEC_OPUS, CONF_CODEC_PCMU, CONF_CODEC_PCMA };
#define CONF_CODEC_MAX 3

struct conf {
	/* [account] */
	char *uri;
	char *proxy;		/* NULL or "" = direct calls only */
	char *auth_user;	/* default: user part of uri */
	char *password_file;
	/* [trust] */
	char *trust_server;
	char *trust_ca_file;
	char *trust_password_file;
	unsigned trust_cache_ttl;
	/* [sip] */
	struct conf_listen listen[CONF_LISTEN_MAX];
	size_t n_listen;
	char *sip_ca_file;
	unsigned register_expires;	/* asked of the registrar */
	unsigned keepalive;		/* CRLF ping interval, 0 = off */
	/* [media] */
	enum conf_audio audio;
	char *play;
	char *record;
	char *sink, *source;		/* PulseAudio device names; NULL =
					 * the sound server's default */
	enum conf_codec codecs[CONF_CODEC_MAX];
	size_t n_codecs;
	unsigned rtp_port_min, rtp_port_max;
	/* [calls] */
	bool auto_answer;
	unsigned trust_wait;
	unsigned ring_timeout;	/* s a call may ring; then CANCEL or 480 */
	/* [paths] */
	char *state_dir;
	/* [log] */
	int log_level;
};

struct conf *conf_new(void);
struct conf *conf_free(struct conf *c);
/* Applies one file. -ENOENT if it does not exist (err untouched); other
 * errors with "file:line: reason" in err. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen);
/* The same for text in memory (tests, fuzzing); name goes in messages. */
int conf_load_buf(struct conf *c, const char *name, const char *data,
	size_t len, char *err, size_t errlen);
/* Applies the system file then the user file, each if present. */
int conf_load_default(struct conf *c, char *err, size_t errlen);
/* Fills defaults that depend on the environment (state_dir, auth_user) and
 * checks what must be set. */
int conf_finish(struct conf *c, char *err, size_t errlen);
/* Reads the first line of a secret file (mode must not allow group/other
 * access). Caller frees with conf_secret_free. */
int conf_read_secret(const char *path, char **ret, char *err, size_t errlen);
void conf_secret_free(char *s);

const char *conf_proto_name(enum conf_proto p);

#endif
