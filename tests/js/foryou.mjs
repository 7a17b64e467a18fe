// Runs the For-you page's own modules (tracker/site/web/foryou-data.js, foryou-rank.js) under Node for
// tests/test_foryou_js.py: reads one JSON request on stdin ({folder, runs: [{ids, weeks, k, method}]}), answers
// with each run's ranked list and the files it fetched. fetch reads the written bundle's files.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ForYouData } from "../../tracker/site/web/foryou-data.js";

const request = JSON.parse(readFileSync(0, "utf-8"));
const folder = pathToFileURL(request.folder.replace(/\/?$/, "/"));

async function fileFetch(url) {
  try {
    return new Response(readFileSync(fileURLToPath(url)), { status: 200 });
  } catch {
    return new Response("", { status: 404 });
  }
}

const out = [];
for (const run of request.runs) {
  const data = new ForYouData(folder, fileFetch); // a fresh page: nothing cached
  const started = performance.now();
  const found = await data.recommend(run.ids, { weeks: run.weeks, k: run.k, method: run.method ?? undefined });
  out.push({
    ranked: found.ranked, missing: found.missing, window: found.window, candidates: found.candidates,
    libraryRows: Object.fromEntries(found.libraryRows), ms: performance.now() - started,
    fetched: data.fetched.map(([name]) => name),
  });
}
process.stdout.write(JSON.stringify(out));
