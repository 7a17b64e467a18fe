// Runs the library's scripts (docs/assets/javascripts/library.js and library-page.js) under Node for
// tests/test_library_js.py: without a document they only define their functions (globalThis.atlasLibrary,
// globalThis.atlasLibraryFiles). Reads one JSON request on stdin, writes one JSON answer on stdout.
import { readFileSync } from "node:fs";

await import("../../docs/assets/javascripts/library.js");
await import("../../docs/assets/javascripts/library-page.js");
const library = globalThis.atlasLibrary;
const files = globalThis.atlasLibraryFiles;
const request = JSON.parse(readFileSync(0, "utf-8"));

let answer;
if (request.task === "read") {
  answer = request.texts.map((text) => files.readLibrary(text));
} else if (request.task === "parse") {
  answer = request.values.map((value) => library.parse(value));
} else if (request.task === "ids") {
  answer = request.texts.map((text) => library.arxivId(text));
} else if (request.task === "export") {
  answer = { bibtex: files.toBibtex(request.papers), ids: files.toIdList(request.papers),
             link: files.shareLink(request.papers, "https://example.org/atlas/library/") };
} else {
  throw new Error(`unknown task ${request.task}`);
}
process.stdout.write(JSON.stringify(answer));
