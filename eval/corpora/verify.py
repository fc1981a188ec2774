"""Keep an evaluation corpus honest: every answer must be in the text our parser extracts.

For each document in `<corpus>/docs/` the project's own parser (ingest.parsers.parse_file)
gives the text; after removing spaces and commas (and NFC normalising):

* an answerable question's `answer` or one `accept` form occurs in one of its sources — for
  "multi_doc" answer part i occurs in source i (one part per source);
  "computed" answers are checked through their `evidence` strings instead;
* an unanswerable question has an empty answer and names an existing near document;
* every checker case's passage is in its document (table rows cell by cell);
* schema, ids and the dev/test split (about 40% dev within each type or kind).

Also checks samples/questions_rewritten.jsonl against samples/questions.jsonl (same answer,
source, answerable flag; both rewrites of a question in one split).

Run: python -m eval.corpora.verify [eval/corpora/hospital]
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
QUESTION_FIELDS = {"id", "question", "answer", "accept", "sources", "answerable", "type", "split"}
EXTRA_FIELDS = {"computed": {"evidence"}, "multi_doc": {"answer_parts"}}
TYPES = {"paraphrase", "condition", "table", "computed", "multi_doc", "unanswerable", "direct"}
CASE_FIELDS = {"id", "passage", "document", "question", "sentence", "supported", "kind", "split"}
TRUE_KINDS = {"true_paraphrase", "true_verbatim"}
FALSE_KINDS = {
    "number_other_condition",
    "date_swap",
    "name_swap",
    "department_swap",
    "negation",
    "added_claim",
    "mixed_facts",
}
REWRITE_FIELDS = {"id", "base_id", "question", "answer", "accept", "sources", "answerable"}
REWRITE_FIELDS |= {"type", "split"}


def norm(text: str) -> str:
    """The form answers are compared in: NFC, no whitespace, no commas."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch != ",")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def extract_texts(docs: Path) -> dict[str, str]:
    """File name → normalised text of every document, as our ingestion parses it."""
    from ingest.parsers import parse_file

    return {
        f.name: norm("\n".join(e.text for e in parse_file(f)))
        for f in sorted(docs.iterdir())
        if f.is_file()
    }


def _split_errors(rows: list[dict[str, Any]], stratum: str, group: str) -> list[str]:
    errors: list[str] = []
    by_group: dict[str, set[str]] = defaultdict(set)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    seen: set[str] = set()
    for row in rows:
        key = str(row[group])
        by_group[key].add(row["split"])
        if key not in seen:  # count groups, not rows
            seen.add(key)
            per[str(row[stratum])][row["split"]] += 1
    errors += [f"{g}: rows of one group in both splits" for g, s in by_group.items() if len(s) > 1]
    for name, counts in per.items():
        total = counts["dev"] + counts["test"]
        if set(counts) - {"dev", "test"} or abs(counts["dev"] - 0.4 * total) > 1:
            errors.append(f"{stratum}={name}: split {dict(counts)} is not ~40% dev")
    return errors


def _found(strings: list[str], texts: list[str]) -> bool:
    return any(norm(s) and norm(s) in t for s in strings for t in texts)


def question_errors(row: dict[str, Any], texts: dict[str, str]) -> list[str]:
    """What is wrong with one question (empty when it is right)."""
    qid, qtype = row.get("id", "?"), row.get("type")
    if qtype not in TYPES:
        return [f"{qid}: unknown type {qtype!r}"]
    want = QUESTION_FIELDS | EXTRA_FIELDS.get(qtype, set())
    if set(row) != want:
        return [f"{qid}: fields {sorted(set(row) ^ want)} differ from the schema"]
    missing = [s for s in row["sources"] if s not in texts]
    if not row["sources"] or missing:
        return [f"{qid}: sources {missing or 'empty'} not among the documents"]
    docs = [texts[s] for s in row["sources"]]
    if qtype == "unanswerable":
        ok = row["answer"] == "" and not row["accept"] and row["answerable"] is False
        return [] if ok else [f"{qid}: unanswerable must have answer '' and answerable false"]
    if row["answerable"] is not True or not row["answer"]:
        return [f"{qid}: answerable question without an answer"]
    if qtype == "computed":
        gone = [e for e in row["evidence"] if not _found([e], docs)]
        return [f"{qid}: evidence {gone} not in {row['sources']}"] if gone else []
    if qtype == "multi_doc":
        parts = row["answer_parts"]  # part i comes from sources[i]
        if len(docs) < 2 or len(parts) != len(docs) or row["answer"] != " / ".join(parts):
            return [f"{qid}: a two-document question needs one answer part per source"]
        return [
            f"{qid}: part {p!r} not in {s}"
            for p, d, s in zip(parts, docs, row["sources"], strict=True)
            if not _found([p], [d])
        ]
    if not _found([row["answer"], *row["accept"]], docs):
        return [f"{qid}: answer {row['answer']!r} (or an accepted form) not in {row['sources']}"]
    return []


def _passage_in(passage: str, text: str) -> bool:
    for line in passage.splitlines():
        cells = [c for c in line.strip().strip("|").split("|")] if line.startswith("|") else [line]
        if not all(norm(c) in text for c in cells if norm(c)):
            return False
    return True


def case_errors(row: dict[str, Any], texts: dict[str, str]) -> list[str]:
    cid = row.get("id", "?")
    if set(row) != CASE_FIELDS:
        return [f"{cid}: fields {sorted(set(row) ^ CASE_FIELDS)} differ from the schema"]
    if row["kind"] not in (TRUE_KINDS if row["supported"] else FALSE_KINDS):
        return [f"{cid}: kind {row['kind']!r} does not fit supported={row['supported']}"]
    if row["document"] not in texts or not _passage_in(row["passage"], texts[row["document"]]):
        return [f"{cid}: passage not found in {row['document']}"]
    return []


def verify_corpus(corpus: Path) -> list[str]:
    """All problems of the corpus at `corpus` (docs/, questions.jsonl, corrupted.jsonl)."""
    texts = extract_texts(corpus / "docs")
    questions = read_jsonl(corpus / "questions.jsonl")
    cases = read_jsonl(corpus / "corrupted.jsonl")
    errors = [e for q in questions for e in question_errors(q, texts)]
    errors += [e for c in cases for e in case_errors(c, texts)]
    for name, rows in (("questions", questions), ("cases", cases)):
        dupes = [k for k, n in Counter(r["id"] for r in rows).items() if n > 1]
        errors += [f"{name}: duplicate id {d}" for d in dupes]
    errors += _split_errors(questions, "type", "id") + _split_errors(cases, "kind", "id")
    return errors


def verify_rewrites(samples: Path = REPO / "samples") -> list[str]:
    """samples/questions_rewritten.jsonl: two rewrites per base question, same answer."""
    base = {q["id"]: q for q in read_jsonl(samples / "questions.jsonl")}
    rows = read_jsonl(samples / "questions_rewritten.jsonl")
    errors = [f"{r.get('id')}: fields differ" for r in rows if set(r) != REWRITE_FIELDS]
    if errors:
        return errors
    counts = Counter(r["base_id"] for r in rows)
    errors += [f"{b}: {counts[b]} rewrites, want 2" for b in base if counts[b] != 2]
    for r in rows:
        b = base.get(r["base_id"])
        if b is None:
            errors.append(f"{r['id']}: unknown base {r['base_id']}")
            continue
        same = (r["answer"], r["answerable"]) == (b["answer"], b["answerable"])
        source = r["sources"] == ([b["source"]] if b["source"] else [])
        kind = r["type"] == ("paraphrase" if b["answerable"] else "unanswerable")
        if not (same and source and kind) or norm(r["question"]) == norm(b["question"]):
            errors.append(f"{r['id']}: does not match {r['base_id']} or repeats its wording")
    return errors + _split_errors(rows, "type", "base_id")


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parent / "hospital"
    errors = verify_corpus(corpus) + verify_rewrites()
    for e in errors:
        print("FAIL", e)
    print(f"{len(errors)} problem(s) in {corpus} and samples/questions_rewritten.jsonl")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
