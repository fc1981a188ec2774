"""Figures tied to their condition: a claim's number must come from the part of the source that
states the claim's condition, not from the neighbouring rule.

A passage often holds one figure per condition ("진료용 PC는 5분, 행정용 PC는 10분", a table
row per grade and a column per region). The source is cut into units: a clause of a sentence,
or one cell of a labelled table row with its row label (an unlabelled table stays whole: its
cells cannot be told apart). A claim's figure is tied to another condition when a unit that
lacks it, but holds a figure of the same kind (days, won, minutes), shares more of the claim
clause's distinguishing terms — its content words and conditions stated with a number
("1년미만", "2등급") that some units hold and others do not — than any unit that holds the
figure. No word
list: the source's own structure says which terms distinguish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.consistency.figures import kinded_figures
from retrieval.korean import morphemes, split_sentences

_TERM_TAGS = frozenset({"NNG", "NNP", "SL", "XR"})
_CONDITION = re.compile(
    r"(\d[\d,.]*)\s*(?:(년|개월|세|회|시간|일)\s*(이상|이하|미만|초과|이내)|(등급|차|급|분기))"
)
"""A number that states a condition: a bound ("1년 미만", "3회 이상") or a label ("2등급",
"1분기") — not a value such as "15일", which is what the figure check judges."""
_CLAUSE = re.compile(r",\s+|;\s+|\s다만\s|\s/\s")


@dataclass(frozen=True)
class Unit:
    terms: frozenset[str]
    figures: frozenset[tuple[float, str]]
    """(value, kind): the value with its scale word applied, and the first letter after it
    ("일", "원", "%"; "시각" for a time of day)."""


def _terms(text: str) -> frozenset[str]:
    """Content words and conditions stated with a number: what can tell two units apart."""
    words = {form for form, tag in morphemes(text) if tag in _TERM_TAGS and len(form) > 1}
    conditions = {
        m.group(1).replace(",", "") + "".join(g for g in m.groups()[1:] if g)
        for m in _CONDITION.finditer(text)
    }
    return frozenset(words | conditions)


def _clauses(text: str) -> list[str]:
    return [c for s in split_sentences(text) for c in _CLAUSE.split(s) if c.strip()]


def units(source: str) -> list[Unit]:
    """The source cut where one condition's figure ends and the next begins."""
    texts: list[str] = []
    table: list[str] = []
    for line in source.splitlines():
        cells = line.split(" | ")
        if len(cells) > 1 and any(": " in cell for cell in cells[1:]):
            texts += [f"{cells[0]} {cell}" for cell in cells[1:]]  # a labelled table row
        elif len(cells) > 1 or line.lstrip().startswith("|"):
            table.append(line)
            continue
        else:
            texts += _clauses(line)
        if table:
            texts.append("\n".join(table))
            table = []
    if table:
        texts.append("\n".join(table))
    return [Unit(_terms(t), kinded_figures(t)) for t in texts]


def _tied_elsewhere(figure: tuple[float, str], clause: frozenset[str], parts: list[Unit]) -> bool:
    value, kind = figure
    everywhere = frozenset.intersection(*(u.terms for u in parts))
    distinguishing = (clause & frozenset.union(*(u.terms for u in parts))) - everywhere
    holding = [len(distinguishing & u.terms) for u in parts if value in {v for v, _ in u.figures}]
    rivals = [
        len(distinguishing & u.terms)
        for u in parts
        if value not in {v for v, _ in u.figures} and any(k == kind for _, k in u.figures)
    ]
    return bool(holding and rivals) and max(rivals) > max(holding)


def other_condition_reasons(sentence: str, source: str, skip: frozenset[float]) -> list[str]:
    """The claim's figures (but `skip`, the ones restated from the question) that the source
    ties to another condition than the claim clause's."""
    parts = units(source)
    if len(parts) < 2:
        return []
    tied = set()
    for clause in _clauses(sentence):
        clause_terms = _terms(clause)
        for figure in kinded_figures(clause):
            if figure[0] not in skip and _tied_elsewhere(figure, clause_terms, parts):
                tied.add(figure[0])
    return [
        f"숫자 {f'{v:,.0f}' if v == int(v) else f'{v:g}'}은(는) 근거 문서에서 다른 조건의 값입니다"
        for v in sorted(tied)
    ]
