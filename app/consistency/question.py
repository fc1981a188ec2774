"""What the question asks about: its topic nouns, and the words that only name the answer's kind."""

from __future__ import annotations

from collections.abc import Sequence

TOPIC_TAGS = frozenset({"NNG", "NNP", "SL"})
_WH_DETERMINERS = frozenset({"어느", "어떤", "무슨", "몇", "어떠", "어떻"})
WH_WORDS = _WH_DETERMINERS | {"누구", "무엇", "뭐", "언제", "어디", "얼마", "며칠", "얼마나"}
DEICTIC = frozenset(
    {
        "올해",
        "금년",
        "작년",
        "지난해",
        "내년",
        "이번",
        "지난번",
        "오늘",
        "어제",
        "내일",
        "현재",
        "지금",
    }
)
"""Time words relative to the asker: a document writes the date ("2025년"), never "올해"."""
_MODIFIER_TAGS = frozenset({"JKG", "ETM", "NNG", "NNP", "SL", "SN"})


def answer_slots(tokens: Sequence[tuple[str, str]]) -> frozenset[str]:
    """Nouns of a question that name what kind of answer is wanted rather than what it is about.

    Two Korean patterns: a noun a wh-determiner modifies ("어떤 경우에", "어떠한 인물이"), and
    the modified head noun of a question that ends in it ("김영삼의 나이는?", "도입한 제도는
    무엇인가?"). An unmodified head ("스톡옵션은 무엇인가요?") is the topic being asked about.
    """
    tags = [tag.split("-")[0] for _, tag in tokens]
    forms = [form for form, _ in tokens]
    slots: set[str] = set()
    for i, tag in enumerate(tags):
        if tag not in {"NNG", "NNP"}:
            continue
        j = i - 1
        while j >= 0 and tags[j] in {"ETM", "XSA"}:
            j -= 1
        if j >= 0 and forms[j] in _WH_DETERMINERS:
            slots.add(forms[i])
    for p in range(len(tokens) - 1, 1, -1):
        if tags[p] in {"JX", "JKS"} and tags[p - 1] in {"NNG", "NNP"}:
            tail = zip(forms[p + 1 :], tags[p + 1 :], strict=True)
            if tags[p - 2] in _MODIFIER_TAGS and all(
                form in WH_WORDS or tag[0] in "ES" or tag in {"VCP", "JX"} or form == "되"
                for form, tag in tail
            ):
                slots.add(forms[p - 1])
            break
    return frozenset(slots)
