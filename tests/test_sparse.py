"""Our in-engine BM25 must rank like the reference Okapi BM25 (rank-bm25) on the same tokens."""

import math

from rank_bm25 import BM25Okapi

from eval.tokenizer_eval import qdrant_idf
from retrieval.settings import RetrievalSettings
from retrieval.sparse import bm25_document_vector, bm25_query_vector, term_id, tokenize

DOCS = [
    "연차휴가는 1년간 80퍼센트 이상 출근한 직원에게 15일을 부여한다.",
    "병가는 연간 10일까지 유급으로 사용할 수 있으며 진단서를 제출한다.",
    "비밀번호는 12자 이상으로 하고 90일마다 변경한다.",
    "출장 일비는 국내 출장 시 하루 3만 원을 지급한다.",
    "법인카드 사용 후 영수증은 7일 이내에 제출한다. 영수증이 없으면 비용 처리하지 않는다.",
    "휴가 신청은 그룹웨어에서 3일 전까지 한다. 연차휴가 잔여 일수는 그룹웨어에서 확인한다.",
]


def test_sparse_ranking_matches_rank_bm25() -> None:
    corpus = [tokenize(d) for d in DOCS]
    avgdl = sum(map(len, corpus)) / len(corpus)
    settings = RetrievalSettings(bm25_avg_doc_len=avgdl, bm25_k1=1.5, bm25_b=0.75)
    vectors = [bm25_document_vector(tokens, settings) for tokens in corpus]
    reference = BM25Okapi(corpus, k1=1.5, b=0.75)
    # Same IDF on both sides, so the comparison isolates the term-frequency weighting.
    reference.idf = {
        term: qdrant_idf(len(corpus), sum(term in doc for doc in corpus))
        for term in {t for doc in corpus for t in doc}
    }
    for question in ["연차휴가 며칠", "영수증 제출 기한", "비밀번호 변경 주기", "휴가 신청 방법"]:
        query_terms = sorted(set(tokenize(question)))
        query = bm25_query_vector(query_terms)
        idf_by_id = {term_id(t): reference.idf.get(t, 0.0) for t in query_terms}
        ours = []
        for vector in vectors:
            weights = dict(zip(vector.indices, vector.values, strict=True))
            ours.append(sum(weights.get(i, 0.0) * idf_by_id[i] for i in query.indices))
        theirs = list(reference.get_scores(query_terms))
        assert max(theirs) > 0, question
        assert _ranking(ours) == _ranking(theirs), question
        for a, b in zip(ours, theirs, strict=True):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _ranking(scores: list[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-round(scores[i], 9), i))
