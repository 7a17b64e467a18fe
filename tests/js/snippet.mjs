// Runs the search page's snippet module (tracker/site/web/snippet.js) under Node for tests/test_search_snippets_js.py.
// Reads one JSON request on stdin ({cases: [{abstract, query, stopwords?, limit?}], languages: [query]}),
// writes {snippets: [...], notEnglish: [...]} on stdout.
import { readFileSync } from "node:fs";
import { notEnglish, snippet } from "../../tracker/site/web/snippet.js";

const request = JSON.parse(readFileSync(0, "utf-8"));
const stopwords = new Set(request.stopwords || []);
const answer = {
  snippets: (request.cases || []).map((c) => snippet(c.abstract, c.query, { stopwords, limit: c.limit })),
  notEnglish: (request.languages || []).map((q) => notEnglish(q, stopwords)),
};
process.stdout.write(JSON.stringify(answer));
