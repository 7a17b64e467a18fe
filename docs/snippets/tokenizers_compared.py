"""BPE, WordPiece and SentencePiece (unigram and BPE) trained on the same text, then compared.

Run from the repository root: python docs/snippets/tokenizers_compared.py
"""

import io
import json
from pathlib import Path

import sentencepiece as spm
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

VOCAB_SIZE = 1000
papers = [json.loads(line) for line in Path("docs/snippets/data/abstracts.jsonl").read_text().splitlines()]
train = [p["abstract"] for p in papers[:180]]  # the same 180 abstracts train every tokenizer
held_out = [p["abstract"] for p in papers[180:]]

# BPE as in GPT-2: bytes, no unknown token; words split on whitespace and punctuation first.
bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(train, trainers.BpeTrainer(
    vocab_size=VOCAB_SIZE, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))

# WordPiece as in BERT: lower-cased, "##" marks a piece that continues a word.
wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
wordpiece.decoder = decoders.WordPiece()
wordpiece.train_from_iterator(train, trainers.WordPieceTrainer(
    vocab_size=VOCAB_SIZE, special_tokens=["[UNK]"], show_progress=False))


def sentencepiece(model_type: str) -> spm.SentencePieceProcessor:
    """SentencePiece sees raw text (spaces become "▁"), so it needs no pre-tokenizer at all."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(train), model_writer=model, vocab_size=VOCAB_SIZE, model_type=model_type,
        character_coverage=1.0, max_sentence_length=8192, num_threads=1, minloglevel=2)
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


sp_unigram, sp_bpe = sentencepiece("unigram"), sentencepiece("bpe")

tokenizers = {
    "BPE (byte-level, `tokenizers`)": (lambda t: bpe.encode(t).tokens, lambda t: bpe.decode(bpe.encode(t).ids)),
    "WordPiece (`tokenizers`)": (lambda t: wordpiece.encode(t).tokens,
                                 lambda t: wordpiece.decode(wordpiece.encode(t).ids)),
    "SentencePiece unigram": (sp_unigram.encode_as_pieces, lambda t: sp_unigram.decode(sp_unigram.encode(t))),
    "SentencePiece BPE": (sp_bpe.encode_as_pieces, lambda t: sp_bpe.decode(sp_bpe.encode(t))),
}

sentence = "Retrieval-augmented generation reduces hallucinations in multilingual LLMs."
held_out_words = sum(len(text.split()) for text in held_out)
print(f"Each tokenizer: vocabulary of {VOCAB_SIZE}, trained on the same 180 abstracts; "
      f"{held_out_words:,} held-out words.\n")
print("| tokenizer | tokens of the sentence | count | held-out tokens per word | round trip |")
print("| --- | --- | ---: | ---: | --- |")
for name, (tokenize, round_trip) in tokenizers.items():
    pieces = tokenize(sentence)
    per_word = sum(len(tokenize(text)) for text in held_out) / held_out_words
    exact = "exact" if round_trip(sentence) == sentence else f"`{round_trip(sentence)}`"
    shown = " ".join(f"`{piece}`" for piece in pieces)
    print(f"| {name} | {shown} | {len(pieces)} | {per_word:.2f} | {exact} |")
