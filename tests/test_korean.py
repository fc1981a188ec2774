from retrieval.korean import content_terms, split_sentences
from retrieval.sparse import term_id, tokenize


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
