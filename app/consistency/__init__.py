"""Factual-consistency check: is each answer sentence supported by the passages it cites?

Signals, all offline:
- lexical guard: every number/amount/date value and every proper noun or Latin term in the
  sentence must occur in the cited text (a changed number is the most damaging error), and a
  figure must come from the clause or labelled table cell that states the claim's condition
  (conditions.py);
- out of scope: question nouns that no retrieved passage mentions and no document the caller
  may read contains are reported (`ConsistencyResult.out_of_scope`) and weighed by the answer
  decision (decision.py); they label no sentence, since a paraphrase the documents word
  differently ("주유비" for "유류비") looks the same. Nouns that name the kind of answer wanted
  ("나이" in "김영삼의 나이는?", "경우" in "어떤 경우에") are not topics;
- content-morpheme overlap (Kiwi) between the sentence and the cited text. Answers restate
  the question ("본인 결혼 시 회사에서 주는 경조금은 …"), and those words need not be in the
  cited passage: a question term counts half;
- similarity: cosine of the sentence's embedding to the closest sentence of the cited passages;
- question fit and gap (recorded per sentence and with the answer decision's signals; they
  label nothing and the shipped decision does not weigh them, see decision.py): the
  question's cosine to the unit the sentence was read from, and how far it falls below the
  unit closest to the question — a true sentence of the neighbouring rule answers another
  question;
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
