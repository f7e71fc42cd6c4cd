"""Tests for kp_extract.stages.s4_language: accuracy, short headings, determinism, speed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kp_extract.stages.s4_language import (
    LANGS,
    assign_languages,
    detect_language,
    guess_language,
    page_language,
    profile_scores,
)
from kp_extract.model import Block

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "language_samples.tsv"
SRC = Path(__file__).resolve().parents[2] / "src"


def load_samples() -> list[tuple[str, str]]:
    rows = []
    for line in FIXTURE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, lang = line.rsplit("\t", 1)
        rows.append((text, lang))
    return rows


SAMPLES = load_samples()


def test_fixture_is_big_enough_and_has_short_items() -> None:
    assert len(SAMPLES) >= 60
    assert sum(len(t) < 60 for t, _ in SAMPLES) >= 20
    assert {lang for _, lang in SAMPLES} == {"sv", "en"}


def test_accuracy_on_fixture() -> None:
    wrong = [(t, g) for t, g in SAMPLES if detect_language(t) != g]
    accuracy = 1 - len(wrong) / len(SAMPLES)
    assert accuracy >= 0.95, wrong


# Held out: invented texts of the same kind, not used to build the word lists.
HELD_OUT = [
    ("Borås och Mwanza ska utveckla avfallshanteringen under tre år.", "sv"),
    ("Kommunfullmäktige beslutade i våras att ansöka om medel för en förstudie.", "sv"),
    ("Målgruppen är unga vuxna som varken arbetar eller studerar.", "sv"),
    ("Härnösand och Gulu", "sv"),
    ("Projektet leds av miljöförvaltningen i nära dialog med invånarna.", "sv"),
    ("Borås and Mwanza will develop waste management over three years.", "en"),
    ("The city council decided last spring to apply for funding for a pre-study.", "en"),
    ("Härnösand and Gulu, Uganda", "en"),
    ("Youth unemployment remains high in both regions, which is why we chose this focus.", "en"),
    ("Project: Safer Schools for Girls", "en"),
    ("Improving solid waste collection in informal settlements", "en"),
    ("Tryggare skolor för flickor", "sv"),
]


@pytest.mark.parametrize("text,lang", HELD_OUT)
def test_held_out_texts(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text,default,expected",
    [
        ("Falun och Kolomyia", "en", "sv"),
        ("Växjö and Kalush", "sv", "en"),
        ("Project: Local Coalition Work", "sv", "en"),
        ("Projekt: Lokalt samarbete för bättre styrning", "en", "sv"),
        ("Urban planning", "sv", "en"),
        ("Samarbetsområde: Utbildning", "en", "sv"),
        ("Eldningsförbud i Kronobergs län", "en", "sv"),
        ("Kalush", "sv", "sv"),
        ("Kalush", "en", "en"),
        ("Komuna Vushtrri", "en", "en"),
        ("JB Marks", "sv", "sv"),
        ("", "en", "en"),
        ("2019-2021", "sv", "sv"),
        ("— • —", "en", "en"),
    ],
)
def test_short_headings(text: str, default: str, expected: str) -> None:
    assert detect_language(text, default=default) == expected


def test_names_carry_no_evidence() -> None:
    for name in ["Kalush", "Komuna Vushtrri", "Kolomyia", "Växjö", "Älmhult", "An Giang"]:
        assert guess_language(name) is None


def test_capitalised_domain_words_inside_a_name_weigh_less() -> None:
    scores = profile_scores("Samarbete med Tlokwe City Council")
    assert scores["sv"] > scores["en"]


def test_bad_default_falls_back_to_sv() -> None:
    assert detect_language("Kalush", default="xx") == "sv"
    assert detect_language("Kalush", default="no") == "no"


def test_repeated_calls_agree() -> None:
    first = [detect_language(t) for t, _ in SAMPLES]
    for _ in range(3):
        assert [detect_language(t) for t, _ in SAMPLES] == first


def test_same_answers_across_processes() -> None:
    texts = [t for t, _ in SAMPLES] + [t for t, _ in HELD_OUT]
    here = [detect_language(t) for t in texts]
    code = (
        "import json,sys\n"
        "from kp_extract.stages.s4_language import detect_language\n"
        "texts=json.load(sys.stdin)\n"
        "print(json.dumps([detect_language(t) for t in texts]))\n"
    )
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(SRC))
        out = subprocess.run(
            [sys.executable, "-c", code], input=json.dumps(texts), capture_output=True,
            text=True, env=env, check=True, timeout=120,
        )
        assert json.loads(out.stdout) == here


def test_texts_the_function_words_decide_never_reach_the_slow_detector(monkeypatch) -> None:
    """The speed rule: lingua (the slow path) is asked only when the function-word profile ties."""
    from kp_extract.stages import s4_language as language

    asked: list[str] = []
    monkeypatch.setattr(language, "_lingua_guess", lambda text: asked.append(text) or None)
    monkeypatch.setattr(language, "_lingua_pick", lambda text, codes: asked.append(text) or None)
    decided = [t for t, _ in SAMPLES if len(set(language.profile_scores(t).values())) > 1]
    assert decided, "the samples must include texts the profile decides"
    for text in decided:
        detect_language(text)
    assert asked == []


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["sv", "en", "no"]))
def test_never_raises_and_returns_a_known_code(text: str, default: str) -> None:
    assert detect_language(text, default=default) in LANGS
    if not any(c.isalpha() for c in text):
        assert detect_language(text, default=default) == default


# --- other languages -----------------------------------------------------------
# Invented texts (written for these tests, not taken from any page): two sentences and a short
# heading with a function word for each language of the second pass, one sentence for each
# language a script decides.
OTHER_LANGUAGE_TEXTS = [
    ("Kommunene har samarbeidet om vann og avløp siden 2015, og prosjektet skal nå utvides til flere skoler.", "no"),
    ("Det er ikke første gang ordføreren besøker byen, men denne gangen var hele bystyret med.", "no"),
    ("Samarbeid mellom kommunene i Norge og Tanzania", "no"),
    ("Kommunerne har arbejdet sammen om affaldshåndtering siden 2018, og projektet bliver nu udvidet med to nye "
     "skoler.", "da"),
    ("Det er ikke første gang, at borgmesteren besøger byen, men denne gang var hele byrådet med.", "da"),
    ("Samarbejde mellem kommunerne i Danmark og Kenya", "da"),
    ("Pemerintah kota dan mitra dari Swedia sepakat untuk melanjutkan kerja sama di bidang pengelolaan air bersih.",
     "id"),
    ("Program ini akan berjalan selama dua tahun dan melibatkan warga serta sekolah setempat.", "id"),
    ("Kunjungan delegasi ke balai kota", "id"),
    ("Міська рада разом зі шведськими партнерами розпочала новий проєкт щодо управління відходами.", "uk"),
    ("Громада планує залучити молодь до ухвалення рішень, і це стало головною метою співпраці.", "uk"),
    ("Візит делегації до міста", "uk"),
    ("Городской совет вместе со шведскими партнёрами начал новый проект по управлению отходами.", "ru"),
    ("Город планирует привлечь молодёжь к принятию решений, и это стало главной целью сотрудничества.", "ru"),
    ("Визит делегации в город", "ru"),
    ("Die Stadt arbeitet seit 2019 mit ihrer Partnergemeinde in Kenia an einem Projekt zur Wasserversorgung.", "de"),
    ("Im nächsten Jahr sollen auch die Schulen der beiden Gemeinden in den Austausch einbezogen werden.", "de"),
    ("Partnerschaft mit einer Stadt in Tansania", "de"),
    ("La commune et sa ville partenaire en Suède travaillent ensemble depuis dix ans sur la gestion des déchets.",
     "fr"),
    ("Le projet vise à renforcer la participation des jeunes à la vie locale.", "fr"),
    ("Coopération entre les deux villes", "fr"),
    ("El municipio y su socio sueco trabajan juntos desde hace cinco años en la gestión del agua potable.", "es"),
    ("Los jóvenes de la ciudad participan en las decisiones sobre el presupuesto local.", "es"),
    ("Cooperación entre los dos municipios", "es"),
    ("O município e a sua cidade parceira na Suécia trabalham juntos há cinco anos na gestão da água.", "pt"),
    ("Os jovens da cidade participam nas decisões sobre o orçamento local.", "pt"),
    ("Cooperação entre os dois municípios", "pt"),
    ("Halmashauri ya mji na washirika wake kutoka Uswidi wanashirikiana katika mradi wa usimamizi wa taka.", "sw"),
    ("Vijana wa mji huu watashiriki katika mipango ya bajeti kwa miaka mitatu.", "sw"),
    ("Ziara ya ujumbe kutoka Uswidi", "sw"),
    ("Belediye ve İsveçli ortakları, atık yönetimi konusunda üç yıllık bir proje üzerinde birlikte çalışıyor.",
     "tr"),
    ("Bu proje ile gençlerin yerel kararlara daha çok katılması amaçlanıyor.", "tr"),
    ("İki belediye arasında yeni bir ortaklık", "tr"),
    ("Thành phố và các đối tác Thụy Điển đã hợp tác trong lĩnh vực quản lý nước từ năm 2015.", "vi"),
    ("Dự án này giúp người dân tham gia nhiều hơn vào việc lập kế hoạch của thành phố.", "vi"),
    ("Hợp tác giữa hai thành phố", "vi"),
    ("Komuna dhe partneri i saj suedez po punojnë së bashku për menaxhimin e mbeturinave.", "sq"),
    ("Projekti synon të rrisë pjesëmarrjen e të rinjve në vendimmarrjen vendore.", "sq"),
    ("Bashkëpunimi midis dy komunave", "sq"),
    ("两个城市在水资源管理方面合作了五年。", "zh"),
    ("二つの都市は水の管理で五年間協力しています。", "ja"),
    ("두 도시는 물 관리 분야에서 5년 동안 협력해 왔습니다.", "ko"),
    ("Οι δύο δήμοι συνεργάζονται εδώ και πέντε χρόνια στη διαχείριση των υδάτων.", "el"),
    ("ორი ქალაქი ხუთი წელია თანამშრომლობს წყლის მართვის სფეროში.", "ka"),
    ("Երկու քաղաքները հինգ տարի համագործակցում են ջրի կառավարման ոլորտում։", "hy"),
    ("שתי הערים משתפות פעולה כבר חמש שנים בניהול המים.", "he"),
    ("สองเมืองร่วมมือกันด้านการจัดการน้ำมาห้าปีแล้ว", "th"),
    ("Двете общини ще работят заедно по проект, който е финансиран от Швеция.", "bg"),
    ("Гарадская рада разам са шведскімі партнёрамі пачала новы праект.", "be"),
    ("Општина и њени партнери из Шведске заједно раде на пројекту.", "sr"),
    ("Општината ќе соработува со партнерите од Шведска.", "mk"),
]


@pytest.mark.parametrize("text,lang", OTHER_LANGUAGE_TEXTS)
def test_other_languages_get_their_own_code(text: str, lang: str) -> None:
    assert lang in LANGS
    for default in ("sv", "en"):
        assert detect_language(text, default=default) == lang


def test_every_second_pass_language_is_tested() -> None:
    from kp_extract.stages import s4_language as language

    tested = {lang for _, lang in OTHER_LANGUAGE_TEXTS}
    assert set(language._LATIN_OTHER) <= tested
    assert {"uk", "ru", "zh"} <= tested


@pytest.mark.parametrize(
    "text,lang",
    [
        # Norwegian and Swedish: the same sentence, told apart by og/ikke/mellom/også/kommunene
        # against och/inte/mellan/också/kommunerna.
        ("Samarbeidet mellom kommunene er også viktig for skolene, og det er ikke over ennå.", "no"),
        ("Samarbetet mellan kommunerna är också viktigt för skolorna, och det är inte över ännu.", "sv"),
        ("Hvor mange kommuner deltar i prosjektet, og hvor lenge varer det?", "no"),
        ("Hur många kommuner deltar i projektet, och hur länge varar det?", "sv"),
        # Norwegian and Danish: mellom/kommunene against mellem/kommunerne.
        ("Samarbeidet mellom kommunene er også viktig, men det er ikke nok.", "no"),
        ("Samarbejdet mellem kommunerne er også vigtigt, men det er ikke nok.", "da"),
    ],
)
def test_norwegian_swedish_and_danish_are_told_apart_by_function_words(text: str, lang: str) -> None:
    assert detect_language(text, default="sv") == lang
    assert detect_language(text, default="en") == lang


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Співпраця між містами триває вже п'ять років.", "uk"),  # і against ы
        ("Сотрудничество между городами длится уже пять лет.", "ru"),
        ("Проект фінансує місто.", "uk"),
        ("Проект финансирует город.", "ru"),
    ],
)
def test_ukrainian_and_russian_are_told_apart(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "Mwanza – Tanga",  # two place names
        "Dar es Salaam, Tanga",  # a lower-case particle of a name is no evidence
        "Tromsø og Bodø",  # Norwegian or Danish "og": a tie, no sentence for lingua
        "Київ",  # a lone name in Cyrillic
        "Львів – Kalush",
    ],
)
def test_headings_of_place_names_keep_the_default(text: str) -> None:
    assert guess_language(text) is None
    for default in ("sv", "en", "no"):
        assert detect_language(text, default=default) == default


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Samarbete med Da Nang och Hue", "sv"),  # capitalised "Da" is part of a name
        ("Växjö and Dar es Salaam", "en"),
        ("Kontakta oss: anna.berg@kommun.se eller www.kommun.se/om-oss", "sv"),  # "se", "om" of addresses
        ("Hittade du den information du sökte?", "sv"),  # "du" is Swedish too, not only French
        ("The report is written in Norwegian and Danish, with a summary in English.", "en"),
        ("Projektet Samarbeid for bedre skoler startade 2020 och avslutas i år.", "sv"),  # a Norwegian title in Swedish
    ],
)
def test_swedish_and_english_texts_with_foreign_words_stay(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_an_elided_word_with_a_capitalised_tail_is_part_of_a_name() -> None:
    assert guess_language("Côte d'Ivoire") in (None, "sv", "en")  # as before: lingua's sv/en answer
    assert guess_language("Au bord de l'eau, près d'une école") == "fr"


def test_swedish_and_english_samples_never_get_another_code() -> None:
    assert {detect_language(t) for t, _ in SAMPLES} <= {"sv", "en"}
    assert {detect_language(t) for t, _ in HELD_OUT} <= {"sv", "en"}


def test_norwegian_page_majority_reaches_its_name_only_blocks() -> None:
    blocks = [
        _block("Songea", "heading"),
        _block("Kommunen har et samarbeid med Songea, og det er ikke første gang vi besøker byen."),
        _block("Prosjektet handler om avfall og renovasjon, og skolene i begge byene er også med."),
    ]
    blocks = assign_languages(blocks)
    assert [b.language for b in blocks] == ["no", "no", "no"]
    assert page_language(blocks) == "no"


def _second_pass_words() -> list[str]:
    from kp_extract.stages import s4_language as language

    words = sorted(language._profile()["word_class"])
    return words[::5] + ["d'une", "l’eau", "d'Ivoire", "anna@kommun.se", "www.kommun.se", "Kalush", "år"]


_any_word = st.sampled_from(_second_pass_words()).flatmap(lambda w: st.sampled_from([w, w.capitalize()]))
_word_texts = st.lists(st.tuples(_any_word, st.sampled_from([" ", ", ", ". ", "\n", "-"])), max_size=25).map(
    lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=500, deadline=None)
@given(_word_texts)
def test_the_second_pass_is_skipped_only_where_it_could_not_decide(text: str) -> None:
    """The speed gate: the second pass runs only for texts with a word flagged as evidence of
    another language; any other text, run through it anyway, gives no other language."""
    from kp_extract.stages import s4_language as language

    words, _, _ = language._read(text)
    if not words:
        return
    p = language._profile()
    codes = language._codes_of(words, p)
    if codes.translate(language._UNFLAG) == codes:
        assert language._other_guess(text, words, p) is language._PASS


# --- assign_languages ----------------------------------------------------------

def _block(text: str, kind: str = "prose") -> Block:
    return Block(file="t.txt", start=0, end=len(text), text=text, kind=kind)


def test_blocks_without_evidence_take_the_majority() -> None:
    blocks = [
        _block("Kalush", "heading"),
        _block("Växjö och Kalush vill arbeta tillsammans för att göra ledarskap mer inkluderande."),
        _block("2019-2021", "bullet"),
    ]
    out = assign_languages(blocks)
    assert [b.language for b in out] == ["sv", "sv", "sv"]


def test_footer_and_chrome_do_not_sway_the_majority() -> None:
    long_en = "Inclusive leadership and governance and social care and wellbeing for the people " * 5
    blocks = [
        _block("Kolomyia", "heading"),
        _block("Projektet genomförs i samarbete med kommunen."),
        _block(long_en, "footer"),
        _block("Share this page and read more about the project on the website of the city", "chrome"),
        _block("Svensk partner: Växjö Kommun", "filter"),
    ]
    blocks = assign_languages(blocks)
    assert blocks[0].language == "sv"
    assert blocks[1].language == "sv"
    assert blocks[2].language == "en"
    assert blocks[3].language == "en"
    assert blocks[4].language in ("sv", "en")
    assert page_language(blocks) == "sv"


def test_mixed_card_keeps_each_blocks_own_language() -> None:
    blocks = [
        _block("Växjö and Kalush", "heading"),
        _block("Växjö and Kalush prioritize collaboration amidst war-induced strains."),
        _block("Projektområde\nInclusive leadership and governance\nSvensk partner\nVäxjö Kommun", "footer"),
    ]
    blocks = assign_languages(blocks, page_default="sv")
    assert [b.language for b in blocks][:2] == ["en", "en"]


def test_page_default_used_when_no_block_has_evidence() -> None:
    blocks = [_block("Kalush", "heading"), _block("JB Marks", "heading")]
    blocks = assign_languages(blocks, page_default="en")
    assert [b.language for b in blocks] == ["en", "en"]
    blocks = assign_languages(blocks)
    assert [b.language for b in blocks] == ["sv", "sv"]


def test_empty_block_list() -> None:
    assert assign_languages([]) == []


def test_assign_languages_gives_new_blocks_and_leaves_its_input_alone() -> None:
    blocks = [_block("Kommunen har ett samarbete med staden och skolorna."), _block("Kalush", "heading")]
    out = assign_languages(blocks)
    assert [b.language for b in out] == ["sv", "sv"]
    assert [b.language for b in blocks] == [None, None]
    assert [(b.start, b.end, b.text) for b in out] == [(b.start, b.end, b.text) for b in blocks]
