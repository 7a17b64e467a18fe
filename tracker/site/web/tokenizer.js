// BERT WordPiece tokenisation (uncased), as the `tokenizers` library runs it for all-MiniLM-L6-v2:
// BertNormalizer (clean text, pad CJK characters, strip accents, lower case), BertPreTokenizer (split on
// white space, every punctuation character a word of its own), WordPiece (greedy longest match, "##"
// continuations, [UNK] for a word it cannot cover), then [CLS] … [SEP].
// tests/test_web_search_js.py checks the ids against `tokenizers` on real titles and abstracts.

const CONTROL = /\p{C}/u;
const WHITESPACE = /\s/u;
const MARK = /\p{Mn}/gu;
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;

function isChinese(cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

export function normalize(text) {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    // tab, newline and carriage return are white space; every other control/format character goes
    if (ch === "\t" || ch === "\n" || ch === "\r") { out += " "; continue; }
    if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
    if (WHITESPACE.test(ch)) { out += " "; continue; }
    out += isChinese(cp) ? ` ${ch} ` : ch;
  }
  return out.normalize("NFD").replace(MARK, "").toLowerCase();
}

export function preTokenize(text) {
  const words = [];
  let word = "";
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (word) words.push(word);
      word = "";
    } else if (PUNCTUATION.test(ch)) {
      if (word) words.push(word);
      words.push(ch);
      word = "";
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
  return words;
}

export class WordPieceTokenizer {
  constructor(tokens, { maxTokens = 256, unk = "[UNK]", cls = "[CLS]", sep = "[SEP]", maxCharsPerWord = 100 } = {}) {
    this.vocab = new Map(tokens.map((token, id) => [token, id]));
    this.maxTokens = maxTokens;
    this.unk = this.vocab.get(unk);
    this.cls = this.vocab.get(cls);
    this.sep = this.vocab.get(sep);
    this.maxCharsPerWord = maxCharsPerWord;
  }

  static fromText(text, options) {
    const tokens = text.split("\n");
    if (tokens[tokens.length - 1] === "") tokens.pop();
    return new WordPieceTokenizer(tokens, options);
  }

  wordPieces(word) {
    const chars = Array.from(word);
    if (chars.length > this.maxCharsPerWord) return [this.unk];
    const pieces = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found;
      while (start < end) {
        const piece = (start > 0 ? "##" : "") + chars.slice(start, end).join("");
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end -= 1;
      }
      if (found === undefined) return [this.unk];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** Token ids of one text: [CLS] pieces… [SEP], cut to maxTokens. */
  encode(text) {
    const ids = [];
    for (const word of preTokenize(normalize(text))) ids.push(...this.wordPieces(word));
    return [this.cls, ...ids.slice(0, this.maxTokens - 2), this.sep];
  }
}
