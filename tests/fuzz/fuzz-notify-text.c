/* Fuzzes svopi-notify's checks on D-Bus strings: peer addresses, typed
 * codes and the sanitizing of reasons, then the words built from them. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "notify/text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char code[TEXT_CODE_LEN + 1], name[TEXT_NAME_MAX + 1];
	char clean[TEXT_REASON_MAX + 1], words[1024], peer[TEXT_PEER_MAX + 1];

	(void)text_code_parse(s, size, code);
	text_sanitize(s, size, clean, sizeof(clean));
	if (size <= TEXT_PEER_MAX && text_peer_check(s, size) == 0) {
		memcpy(peer, s, size);
		peer[size] = '\0';
		text_peer_name(peer, name, sizeof(name));
		text_alert_words(name, clean, words, sizeof(words));
		text_end_words(name, clean, words, sizeof(words));
	}
	text_sanitize(s, size, clean, 4);
	return 0;
}
