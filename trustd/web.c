#include <stdlib.h>

#include "trustd.h"

struct web {
	int dummy;
};

struct web *
web_new(struct trustd *td)
{
	return calloc(1, sizeof(struct web));
}

struct web *
web_free(struct web *w)
{
	free(w);
	return NULL;
}

void
web_handle(struct trustd *td, struct evhttp_request *req, const char *path)
{
	reply_error(req, 404, "not found");
}
