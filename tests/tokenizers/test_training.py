from pathlib import Path

import pytest

from zoo.tokenizers import SentencePieceTokenizer, WordPieceTokenizer, train_sentencepiece, train_wordpiece

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world, hello there! The dog sleeps.",
    "Quick foxes and lazy dogs are friends.",
    "Café au lait, naïve résumé.",
] * 4


def test_train_wordpiece_vocabulary_tokenizes_its_corpus_without_unknowns(tmp_path):
    out = tmp_path / "sub" / "vocab.txt"
    vocabulary = train_wordpiece(TEXTS, vocabulary_size=80, output_path=out)
    assert vocabulary[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert 5 < len(vocabulary) <= 80 and len(set(vocabulary)) == len(vocabulary)
    assert out.read_text(encoding="utf-8").splitlines() == vocabulary
    tokenizer = WordPieceTokenizer(str(out))
    ids = tokenizer(TEXTS).to_list()
    assert all(tokenizer.unk_token_id not in row for row in ids)
    assert tokenizer.detokenize([ids[0]]).numpy()[0].decode() == "the quick brown fox jumps over the lazy dog."


def test_train_wordpiece_from_file_cased(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(TEXTS) + "\n\n", encoding="utf-8")
    vocabulary = train_wordpiece(path, vocabulary_size=120, lowercase=False)
    assert {"T", "H", "Q", "é"} <= set(vocabulary)  # cased, accents kept
    tokenizer = WordPieceTokenizer(vocabulary, lowercase=False)
    assert all(tokenizer.unk_token_id not in row for row in tokenizer(TEXTS).to_list())


def test_train_wordpiece_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        train_wordpiece(["", "   "], vocabulary_size=50)
    with pytest.raises(FileNotFoundError, match="absent.txt"):
        train_wordpiece(tmp_path / "absent.txt", vocabulary_size=50)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\nbad \xff line\n")
    with pytest.raises(ValueError, match=r"bad.txt.*line 2"):
        train_wordpiece([bad], vocabulary_size=50)
    with pytest.raises(ValueError, match="reserved"):
        train_wordpiece(TEXTS, vocabulary_size=5)


def test_train_sentencepiece_t5_ids(tmp_path):
    path = train_sentencepiece(TEXTS * 3, vocabulary_size=45, output_prefix=tmp_path / "spm")
    assert Path(path).is_file() and path.endswith(".model")
    tokenizer = SentencePieceTokenizer(path)
    assert (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2)
    assert tokenizer.vocabulary_size() == 45
    ids = tokenizer(TEXTS[:2])
    assert [s.decode() for s in tokenizer.detokenize(ids).numpy()] == TEXTS[:2]


def test_train_sentencepiece_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        train_sentencepiece([], vocabulary_size=30, output_prefix=tmp_path / "m")
    with pytest.raises(FileNotFoundError, match="absent.txt"):
        train_sentencepiece(tmp_path / "absent.txt", vocabulary_size=30, output_prefix=tmp_path / "m")
    with pytest.raises(ValueError, match="vocabulary_size=5000"):
        train_sentencepiece(TEXTS, vocabulary_size=5000, output_prefix=tmp_path / "m")
    with pytest.raises(ValueError, match="model_type"):
        train_sentencepiece(TEXTS, vocabulary_size=30, output_prefix=tmp_path / "m", model_type="wordpiece")
