from pathlib import Path

from retrieval.korean import char_bigrams, content_terms, split_sentences
from retrieval.settings import RetrievalSettings
from retrieval.sparse import BIGRAM_PREFIX, term_id, tokenize


def test_particles_and_endings_are_dropped() -> None:
    terms = content_terms("신입사원의 연차휴가는 입사일로부터 계산합니다.")
    assert "의" not in terms and "는" not in terms and "습니다" not in terms
    assert "연차" in terms and "휴가" in terms and "입사" in terms


def test_latin_is_lowercased_and_numbers_kept() -> None:
    terms = tokenize("VPN 비밀번호는 12자 이상, USB는 금지")
    assert "vpn" in terms and "usb" in terms and "12" in terms
    assert "VPN" not in terms


def test_same_term_same_id_across_inflections() -> None:
    assert tokenize("휴가를")[0] == tokenize("휴가는")[0]
    assert term_id("휴가") == term_id("휴가") != term_id("휴게")


def test_nfd_hangul_is_normalised() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "연차휴가")
    assert tokenize(decomposed) == tokenize("연차휴가")


def test_korean_sentence_split_without_final_punctuation() -> None:
    sentences = split_sentences(
        "연차는 15일입니다 병가는 연 10일까지 쓸 수 있어요. 경조사 휴가는 5일이다."
    )
    assert len(sentences) == 3
    assert sentences[-1] == "경조사 휴가는 5일이다."


def test_numbers_amounts_and_percentages_stay_whole() -> None:
    terms = tokenize("2024년 3분기 매출은 1,250억 원으로 전년 대비 12.5% 증가했다")
    assert {"2024", "3", "1,250", "12.5", "분기", "매출", "증가"} <= set(terms)
    assert "은" not in terms and "했" not in terms


def test_compound_nouns_split_into_searchable_parts() -> None:
    # A question that says "개인정보" must match a document that says "개인정보보호책임자".
    assert {"개인", "정보", "보호", "책임자"} <= set(tokenize("개인정보보호책임자는"))
    assert {"개인", "정보"} <= set(tokenize("개인정보 처리 방침"))


def test_english_product_names_inside_korean_sentences() -> None:
    terms = tokenize("Outlook에서 VPN 접속이 안 되면 IT헬프데스크(내선 1234)로 연락하세요")
    assert {"outlook", "vpn", "it", "헬프데스크", "1234", "접속", "연락"} <= set(terms)
    assert "에서" not in terms and "로" not in terms


def test_user_dictionary_keeps_company_terms_whole(tmp_path: Path) -> None:
    sentence = "세이프웨이결재시스템에서 품의서를 올린다"
    assert "세이프웨이" not in tokenize(sentence)  # Kiwi alone splits the unknown name
    dictionary = tmp_path / "회사용어.txt"
    dictionary.write_text("세이프웨이\tNNP\t0\n", encoding="utf-8")
    settings = RetrievalSettings(user_dictionary=dictionary)
    assert "세이프웨이" in tokenize(sentence, settings)


def test_bigrams_catch_what_morphemes_drop() -> None:
    # Kiwi reads the "의" of "품의서" (approval form) as a particle; bigrams keep "품의".
    assert "품의" not in tokenize("품의서를 올린다")
    both = RetrievalSettings(sparse_terms="morphemes+bigrams")
    terms = tokenize("품의서를 올린다", both)
    assert f"{BIGRAM_PREFIX}품의" in terms and f"{BIGRAM_PREFIX}의서" in terms
    assert "품" in terms  # the morphemes are still there
    assert char_bigrams("ISMS-P 인증 2024년") == ["isms", "p", "인증", "2024", "년"]
