/* vocab_api.c — GET /api/v1/vocab: every code list of the registry with its Chinese labels, so the
 * console's drop-downs and an importer's spreadsheet use the same codes as the store. */
#include "registry.h"
#include "vocab.h"

static int list_vocab(yj_req *r)
{
	json_t *out = json_object();
	for (size_t i = 0; i < yj_nvocabs; i++) {
		json_t *items = json_array();
		for (size_t j = 0; j < yj_vocabs[i]->n; j++)
			json_array_append_new(items, json_pack("{s:s, s:s}", "code", yj_vocabs[i]->v[j].code, "label",
							       yj_vocabs[i]->v[j].label));
		json_object_set_new(out, yj_vocabs[i]->name, items);
	}
	return yj_reply_json(r, 200, out);
}

const yj_route yj_vocab_routes[] = {
	{"GET", "/api/v1/vocab", list_vocab, ROLE_ANY, NULL, NULL, "registry",
	 "The registry's code lists (types, levels, clinical departments, …) with Chinese labels",
	 "{name: [{code, label}]}", 200},
	{0},
};
