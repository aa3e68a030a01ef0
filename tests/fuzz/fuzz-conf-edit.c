/* Fuzzes the config editor of `svopictl setup` and its URL helpers:
 * whatever text it accepts, a set keeps the line count +0..3, reads back
 * the value it set, and the text it writes parses again the same. */
#include <stdlib.h>
#include <string.h>

#include "conf-edit.h"
#include "fuzz.h"
#include "setup.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_edit *e = NULL, *again = NULL;
	char host[256], why[256], *text, *url;
	unsigned port;
	bool tls;
	const char *v;
	size_t len;

	url = strndup((const char *)data, size > 1100 ? 1100 : size);
	if (url) {
		setup_https_endpoint(url, host, sizeof(host), &port);
		setup_proxy_endpoint(url, host, sizeof(host), &port, &tls, why,
			sizeof(why));
		free(url);
	}
	if (conf_edit_new((const char *)data, size, &e) < 0)
		return 0;
	if (conf_edit_set(e, "account", "proxy", "sip:p;transport=tls") < 0)
		abort();
	v = conf_edit_get(e, "account", "proxy");
	if (!v || strcmp(v, "sip:p;transport=tls") != 0)
		abort();
	text = conf_edit_text(e, &len);
	if (!text || strlen(text) != len)
		abort();
	if (conf_edit_new(text, len, &again) == 0) {
		v = conf_edit_get(again, "account", "proxy");
		if (!v || strcmp(v, "sip:p;transport=tls") != 0)
			abort();
		conf_edit_free(again);
	}
	free(text);
	conf_edit_free(e);
	return 0;
}
