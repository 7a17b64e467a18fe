// Runs the search page's own modules (tracker/site/web/) under Node for tests/test_web_search_js.py.
// Reads one JSON request on stdin, writes one JSON answer on stdout.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { WordPieceTokenizer } from "../../tracker/site/web/tokenizer.js";
import { queryStems } from "../../tracker/site/web/ranking.js";
import stem from "wink-porter2-stemmer";

const request = JSON.parse(readFileSync(0, "utf-8"));

/** The real worker (worker.js) against a written bundle: fetch reads the bundle's files, counting bytes. */
async function runWorker(folder, messages) {
  const fetched = [];
  globalThis.fetch = async (url) => {
    const path = fileURLToPath(url);
    const name = path.slice(fileURLToPath(pathToFileURL(folder + "/")).length);
    try {
      const bytes = readFileSync(path);
      fetched.push({ name, bytes: bytes.length });
      return new Response(bytes, { status: 200 });
    } catch {
      fetched.push({ name, bytes: 0, missing: true });
      return new Response("", { status: 404 });
    }
  };
  const answers = [];
  let waiting = null;
  globalThis.self = {
    postMessage(message) {
      if (message.type === "results" && message.stage === "final" || message.type === "error") {
        answers.push(message);
        if (waiting) waiting();
      }
    },
  };
  // the worker finds its files beside itself: load a copy of its source from the bundle folder's URL
  const source = readFileSync(new URL("../../tracker/site/web/worker.js", import.meta.url), "utf-8");
  const webDir = new URL("../../tracker/site/web/", import.meta.url).href;
  const patched = source
    .replace('new URL("./", import.meta.url)', JSON.stringify(pathToFileURL(folder + "/").href))
    .replaceAll('from "./', `from "${webDir}`);
  await import("data:text/javascript;base64," + Buffer.from(patched).toString("base64"));
  const out = [];
  for (const message of messages) {
    const before = fetched.length;
    const done = new Promise((resolve) => { waiting = resolve; });
    globalThis.self.onmessage({ data: message });
    await done;
    const answer = answers.shift();
    out.push({ answer, fetched: fetched.slice(before) });
  }
  return out;
}

let answer;
if (request.task === "tokenize") {
  const tokenizer = WordPieceTokenizer.fromText(readFileSync(request.vocab, "utf-8"), { maxTokens: request.max_tokens });
  answer = request.texts.map((text) => tokenizer.encode(text));
} else if (request.task === "stem") {
  answer = request.words.map((word) => stem(word));
} else if (request.task === "stems") {
  const stopwords = new Set(request.stopwords);
  const exceptions = new Map(Object.entries(request.exceptions));
  answer = request.queries.map((query) => queryStems(query, stopwords, exceptions));
} else if (request.task === "worker") {
  answer = await runWorker(request.folder, request.messages);
} else {
  throw new Error(`unknown task ${request.task}`);
}
process.stdout.write(JSON.stringify(answer));
