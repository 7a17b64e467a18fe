// Runs the search page's own modules (tracker/site/web/) under Node for tests/test_web_search_js.py.
// Reads one JSON request on stdin, writes one JSON answer on stdout.
import { readFileSync } from "node:fs";
import { WordPieceTokenizer } from "../../tracker/site/web/tokenizer.js";
import { Lexical, lexicalColumns, rankRows } from "../../tracker/site/web/ranking.js";
import stem from "wink-porter2-stemmer";

const request = JSON.parse(readFileSync(0, "utf-8"));
let answer;
if (request.task === "tokenize") {
  const tokenizer = WordPieceTokenizer.fromText(readFileSync(request.vocab, "utf-8"), { maxTokens: request.max_tokens });
  answer = request.texts.map((text) => tokenizer.encode(text));
} else if (request.task === "stem") {
  answer = request.words.map((word) => stem(word));
} else if (request.task === "lexical") {
  const blob = readFileSync(request.blob);
  const buffer = blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length);
  const lexical = new Lexical(request.meta, buffer, request.papers);
  answer = request.queries.map((query) => ({
    columns: lexicalColumns(query, lexical.stopwords, lexical.terms, lexical.column),
    scores: Array.from(lexical.scores(query)),
  }));
} else if (request.task === "columns") {
  const blob = readFileSync(request.blob);
  const lexical = new Lexical(request.meta, blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length), request.papers);
  answer = request.words.map((word) => lexicalColumns(word, lexical.stopwords, lexical.terms, lexical.column));
} else if (request.task === "rank") {
  answer = request.cases.map((c) => rankRows({
    method: c.method, k: c.k, dense: Float32Array.from(c.dense), lexical: Float32Array.from(c.lexical),
    allowed: c.allowed ? Uint8Array.from(c.allowed) : null, alpha: c.alpha, depth: c.depth,
  }).map(([row]) => row));
} else {
  throw new Error(`unknown task ${request.task}`);
}
process.stdout.write(JSON.stringify(answer));
