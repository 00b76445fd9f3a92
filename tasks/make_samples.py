"""Writes the small sample datasets under `tasks/<task>/` from templated English sentences.

The samples are written by the project itself (no external data): each task has a generator that fills
sentence templates from small word lists with a seeded `random.Random`, so the output is byte-for-byte
deterministic for a given seed. The data is simple on purpose: a tiny model must be able to learn it in a
few steps (sentiment words decide the label, entity names come from closed lists, answers are spans of the
context, the toy "language" is a fixed word mapping plus one reordering rule).

Usage (from the repository root):

    python tasks/make_samples.py            # rewrites every sample file
    python tasks/make_samples.py --check    # exits 1 if a committed file differs from a fresh run
"""

import argparse
import json
import random
import sys
from pathlib import Path

TASKS_DIR = Path(__file__).resolve().parent
SEED = 1234

# ---------------------------------------------------------------------------------------------------------
# Shared word lists.
FIRST_NAMES = ["Alice", "Bruno", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kofi",
               "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara"]
LAST_NAMES = ["Adler", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
              "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov"]
LOCATIONS = ["Paris", "Berlin", "Lagos", "Lima", "Oslo", "Cairo", "Madrid", "Tokyo", "Nairobi", "Quito",
             "New York", "Buenos Aires", "Cape Town", "Hong Kong", "San Diego"]
ORGANIZATIONS = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises",
                 "Northwind Traders", "Blue Harbor Bank", "Vertex Systems", "Helios Energy"]
JOBS = ["engineer", "teacher", "doctor", "writer", "chef", "pilot", "lawyer", "farmer"]
YEARS = [str(year) for year in range(1950, 2005)]


def with_article(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# ---------------------------------------------------------------------------------------------------------
# Sentiment: `text<TAB>label`, label 1 = positive, 0 = negative. The adjective/verb decides the label.
SENTIMENT_NOUNS = ["movie", "film", "book", "meal", "hotel", "phone", "concert", "service", "show", "game",
                   "album", "restaurant", "camera", "trip", "story"]
POSITIVE_ADJECTIVES = ["great", "wonderful", "excellent", "delightful", "brilliant", "enjoyable", "superb",
                       "charming", "fantastic", "lovely"]
NEGATIVE_ADJECTIVES = ["terrible", "awful", "boring", "dreadful", "disappointing", "horrible", "dull",
                       "painful", "mediocre", "annoying"]
POSITIVE_VERBS = ["loved", "enjoyed", "adored", "liked"]
NEGATIVE_VERBS = ["hated", "disliked", "regretted", "despised"]
SENTIMENT_TEMPLATES = [
    "the {noun} was {adj} .",
    "what a {adj} {noun} !",
    "i {verb} this {noun} .",
    "honestly , the {noun} was {adj} and i {verb} it .",
    "my friends {verb} the {noun} , it was {adj} .",
    "this is a {adj} {noun} .",
    "overall a {adj} {noun} , we {verb} every minute .",
]


def sentiment_sentence(rng, label):
    adjectives, verbs = (POSITIVE_ADJECTIVES, POSITIVE_VERBS) if label else (NEGATIVE_ADJECTIVES, NEGATIVE_VERBS)
    return rng.choice(SENTIMENT_TEMPLATES).format(noun=rng.choice(SENTIMENT_NOUNS), adj=rng.choice(adjectives),
                                                  verb=rng.choice(verbs))


def sentiment_examples(rng, count):
    # Balanced classes: even rows negative, odd rows positive, then shuffled.
    rows = [f"{sentiment_sentence(rng, index % 2)}\t{index % 2}" for index in range(count)]
    rng.shuffle(rows)
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------------------------
# NER: CoNLL style, one `token TAG` per line, blank line between sentences, IOB2 tags PER/LOC/ORG.
NER_TEMPLATES = [
    "{PER} works for {ORG} in {LOC} .",
    "{PER} moved from {LOC} to {LOC} last year .",
    "{ORG} opened a new office in {LOC} .",
    "yesterday {PER} met {PER} at the {ORG} headquarters .",
    "{PER} , {job} , was born in {LOC} .",
    "{ORG} hired {PER} as {job} .",
    "in {LOC} , {PER} founded {ORG} .",
    "a spokesperson for {ORG} said the deal is done .",
    "{PER} and {PER} visited {LOC} in {year} .",
]


def _fill_entity(slot, rng):
    if slot == "PER":
        return person(rng)
    if slot == "LOC":
        return rng.choice(LOCATIONS)
    if slot == "ORG":
        return rng.choice(ORGANIZATIONS)
    raise ValueError(slot)


def ner_sentence(rng):
    """Returns a list of (token, tag) pairs for one templated sentence."""
    pairs = []
    for word in rng.choice(NER_TEMPLATES).split():
        if word in ("{PER}", "{LOC}", "{ORG}"):
            entity_type = word[1:-1]
            for position, token in enumerate(_fill_entity(entity_type, rng).split()):
                pairs.append((token, ("B-" if position == 0 else "I-") + entity_type))
        elif word == "{job}":
            pairs += [(token, "O") for token in with_article(rng.choice(JOBS)).split()]
        elif word == "{year}":
            pairs.append((rng.choice(YEARS), "O"))
        else:
            pairs.append((word, "O"))
    return pairs


def ner_examples(rng, count):
    sentences = [ner_sentence(rng) for _ in range(count)]
    return "\n".join("".join(f"{token} {tag}\n" for token, tag in sentence) for sentence in sentences)


# ---------------------------------------------------------------------------------------------------------
# QA: SQuAD v1.1 JSON. Every answer is a span of its context; `answer_start` is its character offset.
def qa_paragraph(rng, article_index, paragraph_index):
    name, birthplace, employer = person(rng), rng.choice(LOCATIONS), rng.choice(ORGANIZATIONS)
    year, job, workplace = rng.choice(YEARS), rng.choice(JOBS), rng.choice(LOCATIONS)
    sentences = [
        (f"{name} was born in {birthplace} in {year}.", None),
        (f"After school {name.split()[0]} became {with_article(job)}.", None),
        (f"Today {name.split()[0]} works for {employer} in {workplace}.", None),
    ]
    rng.shuffle(sentences)
    context = " ".join(sentence for sentence, _ in sentences)
    facts = [
        (f"Where was {name} born?", birthplace, f"born in {birthplace}"),
        (f"In which year was {name} born?", year, f"in {year}."),
        (f"What job does {name} have?", job, f"became {with_article(job)}."),
        (f"Which company does {name} work for?", employer, f"works for {employer}"),
        (f"In which city does {name} work?", workplace, f"{employer} in {workplace}."),
    ]
    questions = []
    for question_index, (question, answer, anchor) in enumerate(rng.sample(facts, 3)):
        # The anchor phrase is unique in the context; the answer is located inside it.
        anchor_start = context.index(anchor)
        answer_start = anchor_start + anchor.index(answer)
        assert context[answer_start:answer_start + len(answer)] == answer
        questions.append({
            "answers": [{"answer_start": answer_start, "text": answer}],
            "id": f"sample-{article_index:03d}-{paragraph_index}-{question_index}",
            "question": question,
        })
    return {"context": context, "qas": questions}


def qa_examples(rng, num_articles, paragraphs_per_article=2):
    data = []
    for article_index in range(num_articles):
        paragraphs = [qa_paragraph(rng, article_index, p) for p in range(paragraphs_per_article)]
        data.append({"paragraphs": paragraphs, "title": f"Sample_person_{article_index:03d}"})
    return json.dumps({"data": data, "version": "1.1"}, indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Translation: English -> "Zedish", a toy language. Every English word maps to one fixed Zedish word (made
# of syllables drawn from the seeded generator), and adjectives move after their noun ("the red car" ->
# "lo kavu mirela"), so a model must learn both a lexicon and one reordering rule.
TRANSLATION_DETERMINERS = ["the", "a", "my", "your", "this"]
TRANSLATION_ADJECTIVES = ["red", "small", "old", "happy", "quiet", "green", "tall", "fast"]
TRANSLATION_NOUNS = ["dog", "cat", "car", "house", "child", "river", "bird", "teacher", "boat", "tree"]
TRANSLATION_VERBS = ["sees", "likes", "follows", "paints", "finds", "hears"]
TRANSLATION_PLACES = ["garden", "city", "park", "market", "forest"]
TRANSLATION_FUNCTION_WORDS = ["in", "near", "and", "."]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "pu", "da", "fe", "go", "hi", "ju", "wa"]


def zedish_lexicon(rng):
    words = (TRANSLATION_DETERMINERS + TRANSLATION_ADJECTIVES + TRANSLATION_NOUNS + TRANSLATION_VERBS
             + TRANSLATION_PLACES + TRANSLATION_FUNCTION_WORDS)
    lexicon, used = {".": "."}, {"."}
    for word in words:
        if word in lexicon:
            continue
        while True:
            candidate = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
            if candidate not in used:
                break
        lexicon[word] = candidate
        used.add(candidate)
    return lexicon


def english_noun_phrase(rng):
    words = [rng.choice(TRANSLATION_DETERMINERS)]
    if rng.random() < 0.6:
        words.append(rng.choice(TRANSLATION_ADJECTIVES))
    words.append(rng.choice(TRANSLATION_NOUNS))
    return words


def to_zedish(words, lexicon):
    """Translates a tokenised English sentence: word-by-word lexicon, adjective after noun."""
    output = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in TRANSLATION_ADJECTIVES and index + 1 < len(words) and words[index + 1] in TRANSLATION_NOUNS:
            output += [lexicon[words[index + 1]], lexicon[word]]
            index += 2
            continue
        output.append(lexicon[word])
        index += 1
    return output


def translation_examples(rng, lexicon, count):
    rows = []
    for _ in range(count):
        words = english_noun_phrase(rng) + [rng.choice(TRANSLATION_VERBS)] + english_noun_phrase(rng)
        if rng.random() < 0.5:
            words += [rng.choice(["in", "near"]), "the", rng.choice(TRANSLATION_PLACES)]
        words.append(".")
        rows.append(" ".join(words) + "\t" + " ".join(to_zedish(words, lexicon)))
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Summarization: JSON lines with `document` and `summary`. The document states one key event about a person
# among filler sentences; the summary restates the event in one short sentence.
EVENTS = [
    ("won the {org} prize for young scientists", "{name} won the {org} prize ."),
    ("signed a contract with {org}", "{name} signed with {org} ."),
    ("opened a bakery in {loc}", "{name} opened a bakery in {loc} ."),
    ("ran the {loc} marathon in record time", "{name} set a record at the {loc} marathon ."),
    ("was elected mayor of {loc}", "{name} became mayor of {loc} ."),
    ("left {org} after ten years", "{name} left {org} ."),
]
FILLERS = [
    "the weather was mild and many people were outside .",
    "local newspapers covered the story on the front page .",
    "friends and family said they were not surprised .",
    "the news spread quickly on social media .",
    "a small celebration took place in the evening .",
    "several neighbours gathered to share their thoughts .",
    "officials declined to comment further .",
    "it was the first time such a thing had happened in years .",
]


def summarization_examples(rng, count):
    lines = []
    for _ in range(count):
        name, job = person(rng), rng.choice(JOBS)
        slots = {"name": name, "org": rng.choice(ORGANIZATIONS), "loc": rng.choice(LOCATIONS)}
        event, summary = rng.choice(EVENTS)
        day = rng.choice(["monday", "tuesday", "friday", "sunday"])
        key_sentence = f"on {day} , {name} , {with_article(job)} , {event.format(**slots)} ."
        sentences = rng.sample(FILLERS, rng.randint(2, 4))
        sentences.insert(rng.randint(0, len(sentences)), key_sentence)
        record = {"document": " ".join(sentences), "summary": summary.format(**slots)}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Pretraining: plain text, one sentence a line, a blank line between documents of 5-10 sentences.
def pretraining_corpus(rng, num_documents):
    lexicon = zedish_lexicon(random.Random(SEED))
    documents = []
    for _ in range(num_documents):
        sentences = []
        for _ in range(rng.randint(5, 10)):
            kind = rng.randrange(4)
            if kind == 0:
                sentences.append(sentiment_sentence(rng, rng.randrange(2)))
            elif kind == 1:
                sentences.append(" ".join(token for token, _ in ner_sentence(rng)))
            elif kind == 2:
                sentences.append(translation_examples(rng, lexicon, 1).split("\t")[0])
            else:
                sentences.append(rng.choice(FILLERS))
        documents.append("\n".join(sentences))
    return "\n\n".join(documents) + "\n"


# ---------------------------------------------------------------------------------------------------------
def build_files(seed=SEED):
    """Returns {relative path: file contents} for every sample file. Each task has its own generator."""

    def rng_for(name, split):
        return random.Random(f"{seed}-{name}-{split}")

    lexicon = zedish_lexicon(random.Random(seed))
    return {
        "sentiment/train.tsv": sentiment_examples(rng_for("sentiment", "train"), 400),
        "sentiment/dev.tsv": sentiment_examples(rng_for("sentiment", "dev"), 100),
        "ner/train.conll": ner_examples(rng_for("ner", "train"), 300),
        "ner/dev.conll": ner_examples(rng_for("ner", "dev"), 80),
        "qa/train.json": qa_examples(rng_for("qa", "train"), 40),
        "qa/dev.json": qa_examples(rng_for("qa", "dev"), 10),
        "translation/train.tsv": translation_examples(rng_for("translation", "train"), lexicon, 400),
        "translation/dev.tsv": translation_examples(rng_for("translation", "dev"), lexicon, 100),
        "summarization/train.jsonl": summarization_examples(rng_for("summarization", "train"), 200),
        "summarization/dev.jsonl": summarization_examples(rng_for("summarization", "dev"), 50),
        "pretraining/corpus.txt": pretraining_corpus(rng_for("pretraining", "corpus"), 120),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    parser.add_argument("--output_dir", default=str(TASKS_DIR), help="where to write (default: tasks/)")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)
    output_dir = Path(args.output_dir)
    stale = []
    for relative, text in build_files(args.seed).items():
        path = output_dir / relative
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path} ({len(text.encode('utf-8'))} bytes)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
