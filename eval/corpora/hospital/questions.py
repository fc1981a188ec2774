"""Questions and one-sentence checker cases of the hospital corpus (see README.md).

Questions are phrased the way staff talk (구어체, 줄임말, a few typos) and avoid the documents'
wording where they can. `answer` is the canonical short answer, `accept` other written forms
of the same answer; a correct answer's text contains one of them (ignoring spaces and commas).
"""

from __future__ import annotations

from typing import Any

from eval.corpora.hospital import content as C

RULES = C.RULES_PDF["file"]
PRIV = C.PRIVACY_PDF["file"]
REPORT = C.REPORT_PDF["file"]
TRAVEL = C.TRAVEL_DOCX["file"]
BUY = C.PURCHASE_DOCX["file"]
DUTY = C.DUTY_XLSX["file"]
WELF = C.WELFARE_XLSX["file"]
EDU = C.TRAINING_PPTX["file"]
DEV = C.DEVICE_HWPX["file"]
INF = C.INFECTION_HWP["file"]
SHIFT = C.SHIFT_HWP["file"]
IT = C.IT_FAQ_MD["file"]
FAC = C.FACILITY_HTML["file"]
PARK = C.PARKING_TXT["file"]

Row = tuple[Any, ...]

# (question, answer, accept, sources)
PARAPHRASE: list[Row] = [
    ("자차 끌고 출장 가면 기름값은 얼마씩 쳐줘요?", "1km당 180원", ["180원"], [TRAVEL]),
    ("외할머니 돌아가시면 며칠 쉴 수 있어요?", "3일", [], [WELF]),
    ("와이프가 애기 낳으면 저는 휴가 몇일 받아요?", "20일", [], [WELF]),
    (
        "나이트 하다가 새벽에 밥 먹을 수 있는 데 있어요? 몇 시에 열어요?",
        "00:30~01:30",
        ["00:30", "0시 30분", "새벽 12시 30분"],
        [FAC],
    ),
    ("수습 때도 월급 다 나와요?", "기본급의 90%", ["90%"], [RULES]),
    ("외래 진료실 컴터 가만 두면 몇 분 만에 락 걸려요?", "5분", [], [PRIV]),
    ("바늘에 찔렸어요ㅠㅠ 어디로 전화해야 돼요? 번호 좀요", "내선 4417", ["4417"], [INF]),
    ("HIV 환자 피 튀었을 때 약은 언제까지 먹기 시작해야 돼?", "72시간", [], [INF]),
    ("결핵 환자 입원하면 어떤 방에 넣어야 돼요?", "음압격리실", ["음압 병실", "음압실"], [INF]),
    ("회사 전용 유에스비 받으면 몇 달 쓸 수 있음?", "6개월", [], [PRIV]),
    (
        "집에서 차트 보고 싶은데 원격으로 들어갈 수 있는 사람이 누구예요?",
        "전문의와 당직 전공의",
        ["전문의 및 당직 전공의", "전문의, 당직 전공의", "전문의·당직 전공의"],
        [IT],
    ),
    ("락커 키 잃어버렸는데 돈 내야 돼요? 얼마?", "10,000원", ["1만 원"], [FAC]),
    (
        "근무복 빨래는 무슨 요일에 걷어 가요?",
        "월요일과 목요일",
        ["월요일, 목요일", "월·목", "월요일이랑 목요일", "월요일 목요일"],
        [FAC],
    ),
    (
        "역에서 병원 오는 버스 주말에도 다녀요? 하루 몇 번?",
        "세 번",
        ["3번", "3회", "세 차례"],
        [PARK],
    ),
    ("차 대는 거 한 달에 월급에서 얼마 떼 가요?", "20,000원", ["2만 원"], [PARK]),
    ("애 어린이집 저녁 몇 시까지 봐 줘요?", "20:00", ["20시", "저녁 8시", "오후 8시"], [WELF]),
    ("기숙사 살면 한 달에 얼마 내요?", "80,000원", ["8만 원"], [WELF]),
    ("출장 다녀와서 영수증 처리 언제까지 해야되?", "7일 이내", ["7일"], [TRAVEL]),
    ("프린터 잉크 다 떨어졌는데 어케 받아요?", "소모품 신청", ["소모품신청"], [IT]),
    ("폰으로 회사 메일 보려면 뭐 깔아야 돼요?", "누리가드", ["MDM"], [IT]),
    (
        "납품 업체가 돈 언제 들어오냐고 물어보는데 며칠에 줘요?",
        "매월 10일과 25일",
        ["10일과 25일", "10일, 25일", "10일이랑 25일"],
        [BUY],
    ),
    (
        "독감 주사는 언제 맞아요?",
        "매년 10월~11월",
        ["10월~11월", "10~11월", "10월에서 11월"],
        [INF],
    ),
    ("CPR 자격 몇 년마다 다시 받아야 돼요?", "2년", [], [EDU]),
    ("욕창 사진 찍어야 되는데 그냥 제 폰 카메라로 찍어도 돼요?", "누리포토", [], [PRIV]),
    ("장비 고장 나면 대신 쓸 거 빌려주나요? 얼마나 걸려요?", "1시간", [], [DEV]),
    (
        "격리실 퇴원하고 청소할 때 락스 농도 얼마로 해요?",
        "1,000ppm",
        ["1000ppm", "1,000 ppm"],
        [INF],
    ),
    (
        "입사 전에 EMR 아이디는 언제 만들어 줘요?",
        "입사 전날",
        ["입사 하루 전", "입사일 전날"],
        [IT],
    ),
    ("외부 교육 다녀오면 보고서 언제까지 내야 돼요?", "14일 이내", ["14일", "2주"], [EDU]),
    ("연차를 반나절만 쓸 수도 있어요? 몇 시간 단위예요?", "4시간", [], [RULES]),
    (
        "물이랑 비누로 손 씻을 땐 몇 초나 문질러야 돼요?",
        "40~60초",
        ["40초에서 60초", "40초~60초", "40-60초"],
        [INF],
    ),
    ("병동 제세동기 아침 몇 시에 테스트 돌려요?", "오전 8시", ["08:00", "아침 8시"], [DEV]),
    ("우리 병원 직원이면 제 진료비 비급여는 얼마나 깎아 줘요?", "50%", ["절반", "반값"], [WELF]),
]

CONDITION: list[Row] = [
    ("입사한 지 8개월 됐는데 연차 최대 몇 개까지 생겨요?", "11일", ["최대 11일", "11개"], [RULES]),
    ("입사 4년 차인데 올해 연차 몇 개예요?", "16일", ["16개"], [RULES]),
    ("계약직인데 병가 쓰면 월급 나오는 건 몇일까지에요?", "7일", [], [RULES]),
    ("정규직 유급병가 1년에 몇일?", "14일", [], [RULES]),
    ("신규 간호사로 들어왔어요 경력 없구요. 수습 몇 달이에요?", "6개월", [], [RULES]),
    ("원무과로 입사했는데 수습 기간 얼마나 되요?", "3개월", [], [RULES]),
    ("병동 3교대 간호사인데 그만두려면 언제까지 사직서 내야 돼요?", "45일 전", ["45일"], [RULES]),
    ("행정팀인데 퇴사하려면 사직서 며칠 전에 내면 돼요?", "30일 전", ["30일", "한 달 전"], [RULES]),
    ("의사 선생님들은 정년이 몇 살이에요?", "만 65세", ["65세", "65살"], [RULES]),
    ("저 간호사인데 정년 몇 살이에요?", "만 60세", ["60세", "60살"], [RULES]),
    (
        "2026년 2월 20일(금)에 행정직으로 평일 당직 섰는데 수당 얼마 나와요?",
        "40,000원",
        ["4만 원"],
        [DUTY],
    ),
    ("2026년 3월 10일에 간호직 평일 당직 서면 얼마 받아요?", "60,000원", ["6만 원"], [DUTY]),
    ("2026년 2월에 토요일 당직 선 전문의는 당직비 얼마였어요?", "200,000원", ["20만 원"], [DUTY]),
    (
        "나이트 전담 간호사는 나이트 한 번 서면 얼마 받아요?",
        "월 정액 900,000원",
        ["900,000원", "90만 원", "월 90만원"],
        [DUTY],
    ),
    ("나이트 전담이면 한 달에 나이트 몇 번까지 해도 돼요?", "15회", ["15번", "15개"], [SHIFT]),
    ("일반 병동 간호사는 한 달 나이트 최대 몇 번?", "8회", ["8번", "8개"], [SHIFT]),
    (
        "전공의도 평일 당직 다음 날 오전에 쉴 수 있어요?",
        "제외",
        ["전문의·전공의 제외", "대상이 아닙니다", "해당되지 않"],
        [DUTY],
    ),
    ("의사는 학회 출장 1년에 몇 번까지 지원돼요?", "연 4회", ["4회", "4번", "네 번"], [TRAVEL]),
    ("간호사는 학회 출장 지원 1년에 몇 번?", "연 2회", ["2회", "2번", "두 번"], [TRAVEL]),
    ("외부 교육비 의사는 1년에 얼마까지 받을 수 있어요?", "150만 원", ["1,500,000원"], [EDU]),
    ("행정직 외부교육 지원 한도 얼마임?", "80만 원", ["800,000원"], [EDU]),
    ("간호사는 감염 교육 1년에 몇 시간 들어야 돼요?", "6시간", [], [EDU]),
    ("원무과 직원은 감염관리 교육 연 몇 시간이에요?", "4시간", [], [EDU]),
    ("행정 사무실 PC는 몇 분 지나면 화면 잠겨요?", "10분", [], [PRIV]),
    ("응급실 간호사인데 주차비 내야 돼요?", "면제", ["안 내", "무료"], [PARK]),
    (
        "계약기간 2개월짜리 계약직인데 차 등록 돼요?",
        "등록할 수 없습니다",
        ["등록할 수 없", "안 됩니다", "불가"],
        [PARK],
    ),
    ("일요일에 병원 가는 셔틀 첫차 몇 시예요?", "06:40", ["6시 40분"], [PARK]),
    ("평일 아침 병원행 셔틀 제일 빠른 거 몇 시?", "06:20", ["6시 20분"], [PARK]),
    (
        "임신했는데 나이트 빼달라고 할수 있어요?",
        "배정하지 않는다",
        ["배정하지 않습니다", "배정하지 않", "빠질 수 있"],
        [SHIFT],
    ),
    (
        "토요일 아침에 직원식당 조식 돼요?",
        "운영하지 않습니다",
        ["운영 안", "안 합니다", "하지 않"],
        [FAC],
    ),
    ("입사 11년 차면 장기근속 특별휴가 며칠 받은 거예요?", "5일", [], [RULES]),
    (
        "작년(2025년)에 받은 연차도 새 취업규칙대로 계산해요?",
        "종전 규칙",
        ["종전 규칙에 따른다", "예전 규칙"],
        [RULES],
    ),
]

TABLE: list[Row] = [
    ("3등급인데 광역시 출장 가면 숙박비 한도 얼마예요?", "100,000원", ["10만 원"], [TRAVEL]),
    ("부장님 서울 출장 숙박 상한 얼마예요?", "150,000원", ["15만 원"], [TRAVEL]),
    ("일반 직원 지방(시군) 출장 숙박비 한도?", "70,000원", ["7만 원"], [TRAVEL]),
    ("수간호사 출장 일비 하루 얼마예요?", "25,000원", ["2만 5천 원", "2만5천원"], [TRAVEL]),
    ("원장님 출장 식비 하루 얼마로 잡혀 있어요?", "50,000원", ["5만 원"], [TRAVEL]),
    ("전공의 일요일 당직비 얼마예요? (요즘 기준)", "190,000원", ["19만 원"], [DUTY]),
    ("의료기사 토요일 당직 얼마 받아요? 2026년 4월 기준", "80,000원", ["8만 원"], [DUTY]),
    ("시설·보안직 공휴일 당직비 지금 얼마?", "85,000원", ["8만 5천 원", "8만5천원"], [DUTY]),
    ("책임간호사 나이트 한 번 수당 얼마?", "40,000원", ["4만 원"], [DUTY]),
    ("임상병리사 이브닝 한 번 하면 수당 얼마예요?", "10,000원", ["1만 원"], [DUTY]),
    ("수간호사 이브닝 수당?", "16,000원", ["1만 6천 원", "1만6천원"], [DUTY]),
    ("자식 결혼하면 경조금 얼마 나와요?", "300,000원", ["30만 원"], [WELF]),
    ("배우자 사망 시 경조금은요?", "1,000,000원", ["100만 원"], [WELF]),
    (
        "근속 7년이면 복지포인트 1년에 얼마 들어와요?",
        "1,000,000P",
        ["100만 포인트", "1,000,000포인트", "100만P", "1,000,000 포인트"],
        [WELF],
    ),
    ("부모님 종합검진 받으면 얼마 할인돼요?", "30% 감면", ["30%"], [WELF]),
    ("배우자 비급여 진료비 감면율은?", "30%", [], [WELF]),
    ("1,000만 원짜리 장비 구매하면 최종 결재 누가 해요?", "행정부장", [], [BUY]),
    ("5,000만 원 구매면 최종 결재권자 누구?", "행정부원장", [], [BUY]),
    ("의료장비 하자보증 기간 몇 년이에요?", "2년", [], [BUY]),
    ("시설 공사 계약보증금 몇 %예요?", "계약금액의 15%", ["15%"], [BUY]),
    ("인공호흡기 정기점검 주기 얼마예요?", "6개월", [], [DEV]),
    ("수액펌프 정기점검은 누가 해요?", "외부 전문업체", ["전문업체", "외부 업체"], [DEV]),
    (
        "환자감시장치(모니터) 일상점검 얼마나 자주 해요?",
        "주 1회",
        ["일주일에 한 번", "매주"],
        [DEV],
    ),
    ("인플루엔자 환자 볼 때 보호구 뭐 써요?", "수술용 마스크", [], [INF]),
    ("B형간염 항체 없는 신입은 주사 몇 번 맞아요?", "3회", ["3번", "세 번"], [INF]),
    ("한 병동만 EMR 안 될 때 복구 목표 시간은?", "4시간", [], [IT]),
    (
        "이브닝 근무 몇 시부터 몇 시까지예요?",
        "15:00~23:30",
        ["15시~23시 30분", "오후 3시부터 밤 11시 반"],
        [SHIFT],
    ),
    ("영상의학과 몇 층이에요?", "3층", [], [FAC]),
    ("올해 1분기 병상가동률 몇 %였어요?", "91.2%", [], [REPORT]),
    ("업무 외로 차트 몰래 보다가 두 번째 걸리면 징계 뭐예요?", "정직 1개월", [], [PRIV]),
    (
        "ACLS는 누가 받아야 돼요?",
        "응급실·중환자실 간호사",
        ["응급실, 중환자실 간호사", "응급실과 중환자실 간호사"],
        [EDU],
    ),
]

# (question, answer, accept, sources, evidence)
COMPUTED: list[Row] = [
    (
        "계약직인데 제가 결혼하면 축의금 얼마 나와요?",
        "250,000원",
        ["25만 원"],
        [WELF],
        ["500,000원", "50%"],
    ),
    (
        "계약직인데 외할아버지 돌아가시면 경조금 얼마 받아요?",
        "100,000원",
        ["10만 원"],
        [WELF],
        ["본인·배우자의 조부모·외조부모", "200,000원", "50%"],
    ),
    (
        "4등급 직원이 광역시로 1박 2일 출장 가면 숙박 상한, 일비, 식비 다 합쳐서 최대 얼마예요?",
        "180,000원",
        ["18만 원"],
        [TRAVEL],
        ["80,000원", "20,000원", "30,000원"],
    ),
    (
        "수간호사 당일치기 출장이면 일비 얼마 나와요?",
        "12,500원",
        ["1만 2천5백 원", "1만2500원", "12500원"],
        [TRAVEL],
        ["25,000원", "일비의 절반"],
    ),
    (
        "자차로 왕복 150km 출장 다녀오면 유류비 얼마 받아요?",
        "27,000원",
        ["2만 7천 원", "2만7천원"],
        [TRAVEL],
        ["1km당 180원"],
    ),
    (
        "일반 간호사가 한 달에 나이트 9번 서면 나이트 수당 총 얼마예요?",
        "355,000원",
        ["35만 5천 원", "35만5천원"],
        [DUTY],
        ["35,000원", "7회를 넘으면", "20,000원"],
    ),
    (
        "간호직이 2026년 3월에 평일 당직 2번, 토요일 당직 1번 서면 당직비 합계?",
        "210,000원",
        ["21만 원"],
        [DUTY],
        ["60,000원", "90,000원"],
    ),
    ("1분기 의료수익 작년보다 몇 억 늘었어요?", "43억 원", ["43억"], [REPORT], ["612", "655"]),
    ("3월 말 기준 의사랑 간호사 합치면 몇 명이에요?", "780명", [], [REPORT], ["212명", "568명"]),
    ("3월 말 보건직이랑 행정·기타 인원 합치면?", "404명", [], [REPORT], ["176명", "228명"]),
    (
        "근속 10년 딱 채운 해에 연차랑 장기근속 특별휴가 합치면 며칠 쉴 수 있어요?",
        "24일",
        [],
        [RULES],
        ["19일", "5일"],
    ),
    (
        "7월에 입사하면 그해 복지포인트 얼마 받아요?",
        "300,000P",
        ["30만 포인트", "30만P", "300,000포인트", "30만 원"],
        [WELF],
        ["600,000P", "입사월부터 월할 지급"],
    ),
    (
        "프리셉터 두 달 하면 수당 다 합쳐서 얼마예요?",
        "300,000원",
        ["30만 원"],
        [SHIFT],
        ["월 150,000원"],
    ),
    (
        "직원 본인 비급여 진료비가 20만 원 나오면 제가 내는 돈은?",
        "100,000원",
        ["10만 원"],
        [WELF],
        ["50%"],
    ),
    (
        "출장 3일 동안 택시 타면 택시비 최대 얼마까지 받아요?",
        "90,000원",
        ["9만 원"],
        [TRAVEL],
        ["1일 30,000원"],
    ),
    ("토요일 당직 두 번 서면 대체휴무 총 몇 시간?", "8시간", [], [DUTY], ["4시간"]),
]

# (question, answer_parts, accept, sources)
MULTI_DOC: list[Row] = [
    (
        "입사 1년 넘으면 기본 연차 며칠이고, 내가 결혼하면 결혼 휴가는 며칠이야?",
        ["15일", "5일"],
        [],
        [RULES, WELF],
    ),
    (
        "의료기기 고장 신고 번호랑 전산 장애 신고 번호 각각 알려 주세요",
        ["3150", "2000"],
        [],
        [DEV, IT],
    ),
    (
        "나이트 근무 몇 시부터 몇 시까지고, 그때 야식은 몇 시에 먹을 수 있어요?",
        ["23:00~07:30", "00:30~01:30"],
        [],
        [SHIFT, FAC],
    ),
    (
        "개인정보 사고 신고 내선이랑 주사침 찔렸을 때 보고 내선은요?",
        ["2080", "4417"],
        [],
        [PRIV, INF],
    ),
    (
        "개인정보 밖으로 새게 하면 처음이라도 징계 뭐 받고, 법정교육 안 들으면 평가 몇 점 깎여요?",
        ["해고", "2점"],
        [],
        [PRIV, EDU],
    ),
    (
        "일반 간호사 나이트 한 번 수당이랑 한 달 최대 나이트 횟수?",
        ["35,000원", "8회"],
        [],
        [DUTY, SHIFT],
    ),
    (
        "3교대 간호사 연차 신청 마감이랑 오프 신청 마감이 각각 언제예요?",
        ["전월 10일", "매월 10일"],
        [],
        [RULES, SHIFT],
    ),
    (
        "신규 간호사 수습 기간이랑, 나이트 단독 근무 못 하는 기간은요?",
        ["6개월", "12주"],
        [],
        [RULES, SHIFT],
    ),
    (
        "병가 며칠 넘게 쓰면 진단서 필요하고, 직원 본인 진료 본인부담금은 몇 % 깎아 줘요?",
        ["3일", "30%"],
        [],
        [RULES, WELF],
    ),
    (
        "출장 정산 기한이랑 외부교육 결과보고서 기한 각각 며칠이에요?",
        ["7일", "14일"],
        [],
        [TRAVEL, EDU],
    ),
    ("보안 USB 사용 기간이랑 VPN 사용 기간은 각각?", ["6개월", "1년"], [], [PRIV, IT]),
    ("의공팀 사무실 몇 층이고 내선 번호 뭐예요?", ["지하 2층", "3150"], [], [FAC, DEV]),
    (
        "신규 직원 입문교육 날짜랑 잠복결핵 검사는 언제 받아요?",
        ["3월 3일~5일", "입사 시 1회"],
        [],
        [EDU, INF],
    ),
    ("3월 말 전체 직원 수랑 직장어린이집 정원은요?", ["1,184명", "60명"], [], [REPORT, WELF]),
    (
        "퇴직하면 EMR 계정 언제 지워지고, 행정직은 사직서를 며칠 전에 내야 돼요?",
        ["퇴직일 당일", "30일 전"],
        [],
        [PRIV, RULES],
    ),
    (
        "밤에 주사침 사고 나면 누구한테 보고하고, 밤에 의료기기 고장 나면 어디로 연락해요?",
        ["응급의학과 당직의", "시설 당직실"],
        [],
        [INF, DEV],
    ),
    (
        "직원식당 점심 얼마고, 4등급 출장 식비는 하루 얼마예요?",
        ["5,000원", "30,000원"],
        [],
        [FAC, TRAVEL],
    ),
]

# (question, near source)
UNANSWERABLE: list[Row] = [
    ("출장 가서 렌터카 빌리면 비용 지원돼요?", [TRAVEL]),
    ("해외 출장 일비는 얼마예요?", [TRAVEL]),
    ("출장 때 비행기 타면 비즈니스석 돼요?", [TRAVEL]),
    ("반려견 죽으면 경조휴가 있나요?", [WELF]),
    ("손주 태어나면 경조금 나와요?", [WELF]),
    ("기숙사 보증금은 얼마예요?", [WELF]),
    ("직장어린이집 한 달 보육료 얼마 내요?", [WELF]),
    ("개인정보 규정 세 번째 위반하면 징계 뭐예요?", [PRIV]),
    ("CT 장비 정기점검은 몇 개월마다 해요?", [DEV]),
    ("대여용 제세동기는 몇 대 있어요?", [DEV]),
    ("코로나 환자는 격리 어떻게 해요? 보호구 뭐 써요?", [INF]),
    ("직원 가족도 독감 주사 공짜로 맞을 수 있어요?", [INF]),
    ("3분기 병상가동률 목표가 몇 %예요?", [REPORT]),
    ("1분기 의사직 이직률은 얼마였어요?", [REPORT]),
    ("입찰 보증금은 얼마 내야 돼요?", [BUY]),
    ("전공의가 폰으로 EMR 보는 앱 있어요?", [IT]),
    ("프린터 새로 바꿔 달라고 하면 며칠 걸려요?", [IT]),
    ("퇴근 셔틀 놓치면 택시비 지원돼요?", [PARK]),
    ("보호자 주차 요금은 시간당 얼마예요?", [PARK]),
    ("가족이 직원식당 이용하면 얼마예요?", [FAC]),
    ("12층 휴게실에 샤워실 있어요?", [FAC]),
    ("근무 교환은 한 달에 몇 번까지 할 수 있어요?", [SHIFT]),
    ("프리셉터 한 명이 신규 간호사 몇 명까지 맡아요?", [SHIFT]),
    ("육아휴직 중에 병원에서 월급 얼마 줘요?", [RULES]),
    ("정년 지나고 재고용되는 제도 있어요?", [RULES]),
    ("신규 직원 입문교육은 어디서 해요?", [EDU]),
    ("QI 경진대회 1등 상금 얼마예요?", [EDU]),
]

DIRECT: list[Row] = [
    ("개인정보 보호책임자가 누구예요?", "한도윤", [], [PRIV]),
    ("감염관리실장님 누구세요?", "정수민", [], [INF]),
    ("의공팀장님 성함이 뭐였더라?", "윤재호", [], [DEV]),
    ("출장비 물어보려면 누구한테 연락해요?", "정유진", ["정유진 과장", "내선 2145"], [TRAVEL]),
    ("구매팀 메일 주소 뭐예요?", "purchase@hanbitnuri.example", [], [BUY]),
    ("교육수련팀 내선 번호?", "2170", [], [EDU]),
    ("심혈관센터 언제 문 열어요?", "2026년 5월 18일", ["5월 18일"], [REPORT]),
    ("2분기 의료수익 목표 얼마예요?", "670억 원", ["670억"], [REPORT]),
    ("전 직원 소방 대피 훈련 날짜가 언제예요?", "9월 8일", [], [EDU]),
    ("헬프데스크 메일 주소 알려줘", "helpdesk@hanbitnuri.example", [], [IT]),
    ("6월부터 간호간병통합병동 병상 몇 개예요?", "312병상", ["312개"], [REPORT]),
]


def _row(
    qtype: str, question: str, answer: str, accept: list[str], sources: list[str]
) -> dict[str, Any]:
    return {
        "question": question,
        "answer": answer,
        "accept": accept,
        "sources": sources,
        "answerable": qtype != "unanswerable",
        "type": qtype,
    }


def question_rows() -> list[dict[str, Any]]:
    """All questions, numbered h001… in the order of the lists above (split not yet set)."""
    rows: list[dict[str, Any]] = []
    for qtype, items in (
        ("paraphrase", PARAPHRASE),
        ("condition", CONDITION),
        ("table", TABLE),
        ("direct", DIRECT),
    ):
        rows += [_row(qtype, q, a, acc, src) for q, a, acc, src in items]
    for q, a, acc, src, evidence in COMPUTED:
        rows.append({**_row("computed", q, a, acc, src), "evidence": evidence})
    for q, parts, acc, src in MULTI_DOC:
        rows.append({**_row("multi_doc", q, " / ".join(parts), acc, src), "answer_parts": parts})
    rows += [_row("unanswerable", q, "", [], src) for q, src in UNANSWERABLE]
    return [{"id": f"h{i:03d}", **row} for i, row in enumerate(rows, start=1)]


# ---------------------------------------------------------------------------
# one-sentence checker cases
# ---------------------------------------------------------------------------


def para(doc: dict[str, Any], prefix: str) -> str:
    """The paragraph (block text, or line of a text document) of `doc` starting with `prefix`."""
    if "blocks" in doc:
        texts = [b[1] for b in doc["blocks"] if b[0] in ("p", "meta")]
    elif "slides" in doc:
        texts = ["\n".join(t for _, t in s["bullets"]) for s in doc["slides"] if "bullets" in s]
    else:
        # as the parser reads them: no list markers, no Markdown emphasis
        lines = (line.strip().removeprefix("- ") for line in doc["text"].splitlines())
        texts = [line.replace("**", "") for line in lines]
    hits = [t for t in texts if t.startswith(prefix)]
    if len(hits) != 1:
        raise ValueError(f"{doc['file']}: {len(hits)} paragraphs start with {prefix!r}")
    return hits[0]


def _md(rows: list[list[Any]]) -> str:
    return "\n".join("| " + " | ".join(str(c) for c in row) + " |" for row in rows)


def table(doc: dict[str, Any], caption: str, keep: list[int], note: bool = False) -> str:
    """Header plus rows `keep` (1-based data rows) of a table, as '| a | b |' lines; for XLSX
    `caption` is the sheet name and `note` appends the sheet's ※ notes."""
    if "sheets" in doc:
        sheet = next(s for s in doc["sheets"] if s["name"] == caption)
        rows, notes = sheet["rows"], sheet.get("notes", [])
    elif "slides" in doc:
        rows = next(s["table"] for s in doc["slides"] if s["title"] == caption)
        notes = []
    else:
        rows = next(b[2] for b in doc["blocks"] if b[0] == "table" and b[1] == caption)
        notes = []
    text = _md([rows[0]] + [rows[k] for k in keep])
    return text + ("\n" + "\n".join(notes) if note and notes else "")


def _cases() -> list[tuple[str, dict[str, Any], str, str, bool, str]]:
    R, P, RP, T, B = C.RULES_PDF, C.PRIVACY_PDF, C.REPORT_PDF, C.TRAVEL_DOCX, C.PURCHASE_DOCX
    D, W, E, M, INFC = C.DUTY_XLSX, C.WELFARE_XLSX, C.TRAINING_PPTX, C.DEVICE_HWPX, C.INFECTION_HWP
    S, IT_, F, PK = C.SHIFT_HWP, C.IT_FAQ_MD, C.FACILITY_HTML, C.PARKING_TXT
    leave = table(R, "[표 1] 근속기간별 연차휴가 일수", [1, 2])
    sick = para(R, "2. 병가 중 정규직은")
    probation = para(R, "1. 신규 채용자의 수습기간은")
    retire = para(R, "직원의 정년은")
    resign = para(R, "사직하려는 직원은")
    long_service = para(R, "근속 10년을 채운")
    pw = para(P, "1. 비밀번호는") + "\n" + para(P, "2. 비밀번호를 5회")
    cpo = para(P, "병원의 개인정보 보호책임자는")
    lock = para(P, "진료용 PC는")
    usb = para(P, "일반 USB 메모리의")
    incident = para(P, "개인정보 유출이나")
    penalty = table(P, "[표 1] 위반 유형별 조치 기준", [2, 4])
    kpi = table(RP, "[표 1] 주요 운영 지표 (전년 동기 대비)", [3, 4])
    staff = para(RP, "2026년 3월 31일 기준")
    plan = para(RP, "심혈관센터를") + "\n" + para(RP, "간호간병통합서비스")
    pnl = table(RP, "[표 2] 손익 현황 (단위: 억 원)", [1, 3])
    lodging = table(T, "[표 1] 1박당 숙박비 상한액", [3, 4])
    per_diem = para(T, "일비와 식비는")
    approval = table(B, "[표 1] 구매 금액별 최종 결재권자", [2, 3, 4])
    urgent = para(B, "환자 안전에 직결되어")
    duty_new = table(D, "당직수당(2026.3.1~)", [3, 5], note=True)
    duty_both = duty_new + "\n" + table(D, "종전 당직수당(~2026.2.28)", [5], note=True)
    night = table(D, "야간근무수당", [1, 2], note=True)
    rest = table(D, "대체휴무", [1, 3])
    family = table(W, "경조사", [2, 3, 8], note=True)
    discount = table(W, "직원 진료비 감면", [1, 2])
    outside = para(E, "1인당 연 80만 원")
    mandatory = para(E, "개인정보보호, 성희롱 예방")
    checks = table(M, "[표 1] 기기 분류별 점검 주기", [1, 2])
    loaner = para(M, "2. 의공팀은 대여용으로")
    adverse = para(M, "의료기기 때문에")
    isolation = table(INFC, "[표 1] 격리 유형별 보호구", [1, 3])
    needle = para(INFC, "1. 주사침에 찔리거나")
    nights = para(S, "1. 나이트 근무는")
    shuttle = "\n".join(para(PK, p) for p in ("평일 병원행", "토요일·일요일·공휴일", "소요 시간은"))
    parking = "\n".join(para(PK, p) for p in ("정기 주차 요금은", "교대근무자(3교대"))
    return [
        (
            leave,
            R,
            "입사 8개월 차 연차는 며칠?",
            "입사 1년 미만이면 연차휴가는 15일입니다.",
            False,
            "number_other_condition",
        ),
        (
            leave,
            R,
            "입사 8개월 차 연차는 며칠?",
            "입사 1년이 안 된 직원은 한 달 개근할 때마다 하루씩, 최대 11일까지 연차가 생깁니다.",
            True,
            "true_paraphrase",
        ),
        (
            sick,
            R,
            "계약직 유급 병가는 며칠?",
            "계약직 직원의 유급 병가는 연 14일입니다.",
            False,
            "number_other_condition",
        ),
        (
            sick,
            R,
            "계약직 유급 병가는 며칠?",
            "계약직은 1년에 7일까지 병가를 유급으로 쓸 수 있고, 그보다 길면 무급입니다.",
            True,
            "true_paraphrase",
        ),
        (
            probation,
            R,
            "신규 간호사 수습기간은?",
            "임상 경력이 없는 신규 간호사의 수습기간은 3개월입니다.",
            False,
            "number_other_condition",
        ),
        (
            probation,
            R,
            "신규 간호사 수습기간은?",
            "경력 1년 미만인 신규 간호사는 수습기간이 6개월입니다.",
            True,
            "true_paraphrase",
        ),
        (
            retire,
            R,
            "의사 정년은?",
            "의사직의 정년은 만 60세입니다.",
            False,
            "number_other_condition",
        ),
        (
            retire,
            R,
            "정년이 몇 살이에요?",
            "직원의 정년은 만 60세로 하고, 의사직의 정년은 만 65세로 한다.",
            True,
            "true_verbatim",
        ),
        (
            resign,
            R,
            "3교대 간호사 사직서 기한?",
            "교대근무 간호직은 희망 퇴직일 30일 전까지 사직서를 내면 됩니다.",
            False,
            "number_other_condition",
        ),
        (
            resign,
            R,
            "사직서는 언제까지 내요?",
            "사직서는 희망 퇴직일 30일 전까지 제출하지 않아도 됩니다.",
            False,
            "negation",
        ),
        (
            long_service,
            R,
            "근속 10년 특별휴가?",
            "근속 10년이 되면 10일의 특별휴가를 받습니다.",
            False,
            "number_other_condition",
        ),
        (
            long_service,
            R,
            "근속 20년 특별휴가?",
            "근속 20년을 채우면 유급 특별휴가 10일이 한 번 주어집니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(R, "1. 연차휴가는 사용일"),
            R,
            "연차 신청은 누가 승인해요?",
            "연차휴가는 사용일 3일 전까지 한빛넷으로 신청하고 인사팀장의 승인을 받습니다.",
            False,
            "department_swap",
        ),
        (
            para(R, "2. 육아휴직은 근속"),
            R,
            "육아휴직 신청 조건?",
            "육아휴직은 근속 6개월 이상이면 신청할 수 있으며, 휴직 기간에도 기본급의 50%가 지급됩니다.",
            False,
            "added_claim",
        ),
        (
            para(R, "(재)한빛누리병원 규정 제12호"),
            R,
            "취업규칙 시행일은?",
            "이 취업규칙은 2025년 12월 15일부터 시행됩니다.",
            False,
            "date_swap",
        ),
        (
            cpo,
            P,
            "개인정보 보호책임자는?",
            "개인정보 보호책임자는 정보보안팀장 오세린입니다.",
            False,
            "name_swap",
        ),
        (
            cpo,
            P,
            "개인정보 보호책임자는?",
            "개인정보 보호책임자는 기획조정실장인 한도윤이고 실무는 정보보안팀이 맡습니다.",
            True,
            "true_paraphrase",
        ),
        (
            lock,
            P,
            "행정 PC 화면 잠금 시간?",
            "행정용 PC는 5분 동안 입력이 없으면 화면이 잠깁니다.",
            False,
            "number_other_condition",
        ),
        (
            lock,
            P,
            "PC 화면 잠금 시간?",
            "진료용 PC는 5분, 행정용 PC는 10분 동안 입력이 없으면 화면이 자동으로 잠기도록 설정한다.",
            True,
            "true_verbatim",
        ),
        (
            pw,
            P,
            "비밀번호 규칙은?",
            "비밀번호는 10자 이상으로 정하고 90일마다 바꿔야 하며, 직전 비밀번호 5개는 다시 쓸 수 없습니다.",
            False,
            "mixed_facts",
        ),
        (
            pw,
            P,
            "비밀번호 여러 번 틀리면?",
            "비밀번호를 5회 연속 틀려도 계정은 잠기지 않습니다.",
            False,
            "negation",
        ),
        (
            usb,
            P,
            "보안 USB 신청은?",
            "보안 USB는 부서장 승인 없이 신청할 수 있고 6개월 동안 쓸 수 있습니다.",
            False,
            "negation",
        ),
        (
            usb,
            P,
            "보안 USB 신청은?",
            "업무상 필요하면 부서장 승인을 받아 보안 USB를 쓸 수 있고, 사용 기간은 승인일부터 6개월입니다.",
            True,
            "true_paraphrase",
        ),
        (
            incident,
            P,
            "보안 사고 신고는?",
            "보안 사고를 알게 되면 24시간 안에 정보보안팀 내선 2080으로 신고해야 합니다.",
            True,
            "true_paraphrase",
        ),
        (
            incident,
            P,
            "보안 사고 신고는?",
            "보안 사고는 24시간 이내에 감염관리실(내선 2080)에 신고합니다.",
            False,
            "department_swap",
        ),
        (
            penalty,
            P,
            "업무 외 의무기록 열람 1차 징계?",
            "업무 외 목적으로 의무기록을 열람하면 1차 위반에도 정직 1개월입니다.",
            False,
            "number_other_condition",
        ),
        (
            penalty,
            P,
            "개인정보 유출 징계?",
            "개인정보를 외부로 유출하면 1차 위반이라도 해고됩니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(P, "1. 직원은 진료와 업무에"),
            P,
            "내 의무기록 볼 수 있어요?",
            "본인의 의무기록은 EMR에서 직접 열람할 수 있습니다.",
            False,
            "negation",
        ),
        (
            kpi,
            RP,
            "1분기 병상가동률?",
            "2026년 1분기 병상가동률은 88.4%였습니다.",
            False,
            "number_other_condition",
        ),
        (
            kpi,
            RP,
            "평균재원일수 변화?",
            "평균재원일수는 7.9일에서 7.4일로 0.5일 줄었습니다.",
            True,
            "true_paraphrase",
        ),
        (staff, RP, "간호직 인원?", "3월 31일 기준 간호직은 212명입니다.", False, "mixed_facts"),
        (
            staff,
            RP,
            "간호직 이직률?",
            "1분기 간호직 이직률은 3.4%로 낮아졌습니다.",
            False,
            "number_other_condition",
        ),
        (
            plan,
            RP,
            "심혈관센터 개소일?",
            "심혈관센터는 2026년 5월 18일 본관 4층에 문을 엽니다.",
            True,
            "true_paraphrase",
        ),
        (
            plan,
            RP,
            "심혈관센터 개소일?",
            "심혈관센터는 6월부터 운영을 시작합니다.",
            False,
            "date_swap",
        ),
        (
            pnl,
            RP,
            "1분기 의료이익?",
            "2026년 1분기 의료이익은 24억 원으로 전년보다 33.3% 늘었습니다.",
            True,
            "true_paraphrase",
        ),
        (
            pnl,
            RP,
            "1분기 의료수익?",
            "2026년 1분기 의료수익은 612억 원입니다.",
            False,
            "number_other_condition",
        ),
        (
            lodging,
            T,
            "3등급 광역시 숙박비?",
            "3등급 직원의 광역시 숙박비 상한은 1박에 120,000원입니다.",
            False,
            "number_other_condition",
        ),
        (
            lodging,
            T,
            "4등급 서울 숙박비?",
            "4등급은 서울 출장 때 1박 100,000원까지 숙박비를 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            per_diem,
            T,
            "당일 출장 일비?",
            "당일 출장은 일비를 지급하지 않습니다.",
            False,
            "negation",
        ),
        (
            per_diem,
            T,
            "당일 출장 일비?",
            "숙박하지 않는 당일 출장은 일비의 절반과 식비 1일분을 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(T, "학회 참석을 위한"),
            T,
            "의사 학회 출장 횟수?",
            "의사직은 학회 출장을 연 2회까지 지원받습니다.",
            False,
            "number_other_condition",
        ),
        (
            para(T, "2. 자가용을 이용한"),
            T,
            "자가용 출장 비용?",
            "자가용 유류비는 1km당 180원이고 통행료는 지원하지 않습니다.",
            False,
            "negation",
        ),
        (
            para(T, "여비 관련 문의는"),
            T,
            "여비 문의처?",
            "여비 문의는 구매팀 정유진 과장에게 하면 됩니다.",
            False,
            "department_swap",
        ),
        (
            approval,
            B,
            "1억 원 구매 결재권자?",
            "1억 원짜리 구매의 최종 결재권자는 행정부원장입니다.",
            False,
            "number_other_condition",
        ),
        (
            approval,
            B,
            "1,000만 원 구매 결재권자?",
            "500만 원 이상 3,000만 원 미만 구매는 행정부장이 최종 결재합니다.",
            True,
            "true_verbatim",
        ),
        (
            para(B, "3. 5,000만 원 이상의"),
            B,
            "구매심의위원회 일정?",
            "5,000만 원 이상 의료기기는 구매심의위원회 심의를 거치며, 위원회는 매월 첫째 주 목요일에 열립니다.",
            False,
            "date_swap",
        ),
        (
            urgent,
            B,
            "긴급 구매 절차?",
            "긴급 구매는 구매팀장 승인으로 먼저 사고, 3일 안에 사후 결재를 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            urgent,
            B,
            "긴급 구매 절차?",
            "긴급 구매는 병원장 승인으로 먼저 구매하고 3일 안에 사후 결재를 받습니다.",
            False,
            "department_swap",
        ),
        (
            table(B, "[표 2] 계약 보증 기준", [2, 3]),
            B,
            "의료장비 하자보증?",
            "의료장비의 하자보증 기간은 3년입니다.",
            False,
            "number_other_condition",
        ),
        (
            para(B, "납품된 물품은"),
            B,
            "대금 지급일?",
            "대금은 검수가 끝난 뒤 30일 안에 매월 10일과 25일에 지급합니다.",
            True,
            "true_paraphrase",
        ),
        (
            duty_new,
            D,
            "행정직 평일 당직수당?",
            "행정직 평일 당직수당은 60,000원입니다.",
            False,
            "number_other_condition",
        ),
        (
            duty_both,
            D,
            "2026년 2월 행정직 평일 당직?",
            "2026년 2월에 평일 당직을 선 행정직은 50,000원을 받습니다.",
            False,
            "number_other_condition",
        ),
        (
            night,
            D,
            "책임간호사 나이트 수당?",
            "책임간호사의 나이트 수당은 1회 40,000원입니다.",
            True,
            "true_paraphrase",
        ),
        (
            night,
            D,
            "나이트 7회 초과 가산?",
            "한 달 나이트가 7회를 넘으면 넘는 1회마다 35,000원을 더 받습니다.",
            False,
            "mixed_facts",
        ),
        (
            night,
            D,
            "나이트 전담 간호사 수당?",
            "나이트 전담 간호사는 회당 나이트 수당에 더해 월 900,000원을 추가로 받습니다.",
            False,
            "added_claim",
        ),
        (
            rest,
            D,
            "전문의 당직 후 휴무?",
            "전문의도 평일 당직 다음 날 오전 4시간을 쉽니다.",
            False,
            "negation",
        ),
        (
            rest,
            D,
            "공휴일 당직 대체휴무?",
            "일요일이나 공휴일에 당직을 서면 1일의 대체휴무를 1개월 안에 씁니다.",
            True,
            "true_paraphrase",
        ),
        (
            family,
            W,
            "계약직 경조휴가?",
            "계약직 직원의 경조휴가 일수는 정규직의 절반입니다.",
            False,
            "mixed_facts",
        ),
        (
            family,
            W,
            "외조부모 사망 경조?",
            "외조부모가 돌아가시면 경조금 200,000원과 휴가 3일을 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            family,
            W,
            "형제자매 결혼 경조금?",
            "형제자매가 결혼하면 경조금 300,000원을 받습니다.",
            False,
            "number_other_condition",
        ),
        (
            discount,
            W,
            "배우자 비급여 감면?",
            "배우자와 자녀의 비급여 진료비는 50% 감면됩니다.",
            False,
            "number_other_condition",
        ),
        (
            table(W, "기숙사·어린이집", [3]),
            W,
            "어린이집 정원?",
            "직장어린이집은 만 1세부터 만 5세까지 60명을 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            outside,
            E,
            "의사 외부교육 한도?",
            "의사직 외부 교육 지원 한도는 연 80만 원입니다.",
            False,
            "number_other_condition",
        ),
        (
            mandatory,
            E,
            "법정 의무교육 기한?",
            "법정 의무교육은 2026년 11월 30일까지 이수해야 하며 이수하지 않으면 인사평가에서 2점이 감점됩니다.",
            True,
            "true_paraphrase",
        ),
        (
            mandatory,
            E,
            "의사 감염관리 교육 시간?",
            "의사와 간호사는 감염관리 교육을 연 4시간 받습니다.",
            False,
            "number_other_condition",
        ),
        (
            checks,
            M,
            "제세동기 점검 주기?",
            "제세동기는 매일 일상 점검하고 12개월마다 정기 점검합니다.",
            False,
            "number_other_condition",
        ),
        (
            para(M, "병동의 제세동기는"),
            M,
            "제세동기 점검표 서명?",
            "제세동기 점검표에는 수간호사가 서명합니다.",
            False,
            "name_swap",
        ),
        (
            loaner,
            M,
            "대여 장비 보유 대수?",
            "의공팀은 대여용 인공호흡기 30대와 수액주입펌프 4대를 보유합니다.",
            False,
            "mixed_facts",
        ),
        (
            adverse,
            M,
            "식약처 보고 기한?",
            "중대한 이상사례는 알게 된 날부터 7일 이내에 의공팀이 식약처에 보고합니다.",
            True,
            "true_paraphrase",
        ),
        (
            adverse,
            M,
            "위해 사례 원내 보고 기한?",
            "의료기기 위해 사례는 7일 이내에 의공팀과 환자안전팀에 보고합니다.",
            False,
            "number_other_condition",
        ),
        (
            para(INFC, "환자 접촉 전"),
            INFC,
            "손소독제 시간?",
            "알코올 손소독제는 40~60초 동안 문지릅니다.",
            False,
            "number_other_condition",
        ),
        (
            isolation,
            INFC,
            "결핵 환자 격리?",
            "결핵 환자는 공기주의 대상으로 N95 마스크를 쓰고 음압격리실에 둡니다.",
            True,
            "true_paraphrase",
        ),
        (
            isolation,
            INFC,
            "MRSA 보호구?",
            "MRSA 환자를 돌볼 때는 N95 마스크를 써야 합니다.",
            False,
            "mixed_facts",
        ),
        (
            needle,
            INFC,
            "야간 주사침 사고 보고?",
            "평일 18시 이후에는 감염관리실장에게 보고합니다.",
            False,
            "department_swap",
        ),
        (
            para(INFC, "감염관리위원회는"),
            INFC,
            "감염관리위원회 위원장?",
            "감염관리위원회 위원장은 감염관리실장 정수민 교수입니다.",
            False,
            "name_swap",
        ),
        (
            para(INFC, "일반 병실은"),
            INFC,
            "격리실 소독 후 환기?",
            "격리실은 종결 소독을 한 뒤 30분 동안 환기합니다.",
            True,
            "true_paraphrase",
        ),
        (
            nights,
            S,
            "간호사 월 나이트 한도?",
            "일반 간호사도 한 달에 15회까지 나이트 근무를 할 수 있습니다.",
            False,
            "number_other_condition",
        ),
        (
            para(S, "2. 나이트 근무를 연속"),
            S,
            "연속 나이트 후 휴무?",
            "나이트 근무를 연속 3회 이상 하면 그 뒤에 2일 이상 쉽니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(S, "수간호사는 다음 달"),
            S,
            "근무표 공지일?",
            "근무표는 매월 10일까지 공지하고 오프 신청은 20일까지 받습니다.",
            False,
            "date_swap",
        ),
        (
            para(S, "프리셉터는 경력"),
            S,
            "프리셉터 조건?",
            "프리셉터는 경력 3년 이상 간호사 중 수간호사가 추천하고, 프리셉터 기간에는 나이트 근무가 면제됩니다.",
            False,
            "added_claim",
        ),
        (
            para(S, "신규 간호사는 입사 후"),
            S,
            "신규 간호사 나이트 단독 배치?",
            "신규 간호사는 입사 8주가 지나면 나이트에 단독으로 배치할 수 있습니다.",
            False,
            "number_other_condition",
        ),
        (
            para(IT_, "원격 접속(VPN)은"),
            IT_,
            "행정직 VPN?",
            "행정직도 소속 과장 승인만 받으면 EMR에 VPN으로 접속할 수 있습니다.",
            False,
            "added_claim",
        ),
        (
            table_md(IT_, "| 1등급"),
            IT_,
            "1등급 장애 대응?",
            "1등급 장애는 10분 이내에 최초 대응하고 2시간 안에 복구하는 것을 목표로 합니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(IT_, "인사팀이 입사일"),
            IT_,
            "계정 발급 시점?",
            "전산팀이 입사 3근무일 전까지 계정을 만듭니다.",
            False,
            "mixed_facts",
        ),
        (
            table(F, "직원식당 운영 시간과 식대", [2, 4]),
            F,
            "야식 가격?",
            "나이트 근무자의 야식은 5,000원입니다.",
            False,
            "number_other_condition",
        ),
        (
            para(F, "유니폼은 입사할 때"),
            F,
            "유니폼 지급?",
            "유니폼은 입사할 때 하계와 동계 각각 3벌을 받습니다.",
            True,
            "true_paraphrase",
        ),
        (
            parking,
            PK,
            "교대근무자 주차 요금?",
            "교대근무자는 정기 주차 요금 월 20,000원의 절반만 냅니다.",
            False,
            "added_claim",
        ),
        (
            shuttle,
            PK,
            "토요일 셔틀 첫차?",
            "토요일에는 병원행 셔틀이 06:20에 처음 출발합니다.",
            False,
            "number_other_condition",
        ),
        (
            shuttle,
            PK,
            "셔틀 요금과 소요 시간?",
            "셔틀버스는 무료이고 수원역에서 병원까지 약 15분 걸립니다.",
            True,
            "true_paraphrase",
        ),
        (
            para(S, "프리셉터는 경력"),
            S,
            "프리셉터 수당은?",
            "프리셉터에게는 신규 간호사를 지도하는 기간 동안 월 150,000원의 프리셉터 수당을 지급한다.",
            True,
            "true_verbatim",
        ),
    ]


def table_md(doc: dict[str, Any], prefix: str) -> str:
    """Header, separator-free, plus the row starting with `prefix` of a Markdown table."""
    lines = [line for line in doc["text"].splitlines() if line.startswith("|")]
    hits = [line for line in lines if line.startswith(prefix)]
    if len(hits) != 1:
        raise ValueError(f"{doc['file']}: {len(hits)} table rows start with {prefix!r}")
    return lines[0] + "\n" + hits[0]


def corrupted_rows() -> list[dict[str, Any]]:
    """The checker cases, numbered c001… (split not yet set)."""
    return [
        {
            "id": f"c{i:03d}",
            "passage": passage,
            "document": doc["file"],
            "question": question,
            "sentence": sentence,
            "supported": supported,
            "kind": kind,
        }
        for i, (passage, doc, question, sentence, supported, kind) in enumerate(_cases(), start=1)
    ]
