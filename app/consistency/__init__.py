"""Factual-consistency check: is each answer sentence supported by the passages it cites?

Signals, all offline:
- lexical guard: every number/amount/date value and every proper noun or Latin term in the
  sentence must occur in the cited text (a changed number is the most damaging error);
- topic guard: a noun of the question that no retrieved passage mentions and no document the
  caller may read contains ("스톡옵션" in a company without stock options) makes every claim
  of the answer unsupported: the documents do not cover what was asked, whatever the answer
  says instead ("1인당 월 45,000원" from another allowance). A word the documents use
  elsewhere ("회사", "사용") says nothing about scope and is left to the other signals. Nouns
  that name the kind of answer wanted ("나이" in "김영삼의 나이는?", "경우" in "어떤 경우에")
  are not topics: the passage states the answer itself ("1927년생") without the word;
- content-morpheme overlap (Kiwi) between the sentence and the cited text. Answers restate
  the question ("본인 결혼 시 회사에서 주는 경조금은 …"), and those words need not be in the
  cited passage: a question term counts half (a question noun that no retrieved passage
  uses falls to the topic guard instead);
- similarity: cosine of the sentence's embedding to the closest sentence of the cited passages;
- judge (when the LLM is cheap to call again: GPU or server): the model's probability of
  answering "yes" to "does the source support this statement?".
A guard failure makes the sentence unsupported whatever the rest says. The other signals are
combined by a logistic model fitted on KLUE-NLI dev (`python -m eval consistency` writes
consistency/calibration.json), so the score reads as P(supported) and its threshold was chosen
on that data.
"""

from app.consistency.calibration import CALIBRATION_FILE, Calibration, load_calibrations
from app.consistency.checker import ConsistencyChecker
from app.consistency.figures import number_values
from app.consistency.question import answer_slots
from app.consistency.result import ConsistencyResult, Label, SentenceCheck, is_refusal

__all__ = [
    "CALIBRATION_FILE",
    "Calibration",
    "ConsistencyChecker",
    "ConsistencyResult",
    "Label",
    "SentenceCheck",
    "answer_slots",
    "is_refusal",
    "load_calibrations",
    "number_values",
]
