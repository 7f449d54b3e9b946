"""Pages in legacy charsets: declared in the header, a BOM, <meta>, http-equiv, or nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.charsets import decode_page, whatwg_decoder
from curator.enrich.pages import extract_page
from tests.cli import invoke
from tests.server import LoopbackServer

# encoding -> (title, description, paragraph): enough text for detection to tell apart
# the encodings that share a script (ISO-8859-2 and windows-1250, KOI8-R and windows-1251).
PAGES = {
    "iso-8859-2": (
        "Uchwała w sprawie dziesiątej rocznicy",
        "Rada miasta przyjęła uchwałę w sprawie obchodów dziesiątej rocznicy biblioteki.",
        "Mieszkańcy będą mogli zwiedzać zabytkowe wnętrza, a dzieci wezmą udział w zajęciach "
        "przygotowanych przez pracowników. Źródła finansowania są już zabezpieczone, a środki "
        "pochodzą z budżetu gminy. Wszyscy są serdecznie zaproszeni na uroczystość.",
    ),
    "windows-1250": (
        "Žluťoučký kůň úpěl ďábelské ódy",
        "Městská rada schválila v úterý nový plán rozvoje cyklistických stezek.",
        "Občané se mohou těšit na dvanáct kilometrů nových tras, které propojí čtvrti na "
        "severu a jihu města. Práce začnou na jaře a potrvají přibližně dva roky. Zástupci "
        "spolků vyjádřili spokojenost s výsledkem jednání.",
    ),
    "windows-1251": (
        "Городской совет утвердил новый бюджет",
        "Депутаты городского совета в четверг утвердили бюджет на следующий год.",
        "Больше всего средств получат школы, больницы и общественный транспорт. Мэр города "
        "заявил, что расходы на ремонт дорог будут увеличены вдвое, а жители смогут следить "
        "за ходом работ на официальном сайте.",
    ),
    "koi8-r": (
        "Учёные нашли новый вид бабочек",
        "Исследователи из Новосибирска обнаружили в горах Алтая неизвестный вид бабочек.",
        "По словам руководителя экспедиции, насекомые живут только на одном склоне и "
        "встречаются крайне редко. Учёные планируют продолжить наблюдения следующим летом и "
        "подготовить подробное описание.",
    ),
    "shift_jis": (
        "東京で新しい図書館が開館しました",
        "東京都内に新しい市立図書館が開館し、初日から多くの市民が訪れました。",
        "館内には約二十万冊の本が並び、子ども向けの読み聞かせの部屋や、静かに勉強できる席も"
        "用意されています。館長は、地域の人々が気軽に集まれる場所にしたいと話しています。",
    ),
    "euc-jp": (
        "京都の紅葉が見頃を迎えています",
        "京都市内の寺院では紅葉が見頃を迎え、週末には多くの観光客が訪れました。",
        "赤や黄色に色づいた木々が庭園を彩り、写真を撮る人の姿が目立ちます。観光協会に"
        "よると、今年は例年より少し早く色づいたということです。",
    ),
    "gb18030": (
        "北京市发布新的公共交通计划",
        "北京市政府今天发布了新的公共交通发展计划，计划在未来五年内新建三条地铁线路。",
        "市民表示，这将大大方便日常出行。交通部门负责人说，新线路将优先连接居民区和工作区，"
        "减少通勤时间，并增加公交车的班次。",
    ),
    "big5": (
        "臺北市舉辦國際書展",
        "第三十屆臺北國際書展今天開幕，來自四十多個國家的出版社參加展出。",
        "主辦單位表示，今年的主題是閱讀與未來，現場安排了許多作家座談會和簽書活動。許多"
        "家長帶著孩子前來參觀，希望培養他們的閱讀習慣。",
    ),
    "windows-1252": (
        "Café crème : l’histoire d’une boisson parisienne",
        "Dans les cafés de Paris, le café crème est servi depuis plus d’un siècle.",
        "Les habitués le commandent au comptoir, souvent avec un croissant, et les serveurs "
        "savent qu’il faut le préparer avec soin. « C’est une tradition », explique le "
        "propriétaire, qui a ouvert son établissement en 1987 à côté de la gare.",
    ),
}
PLACES = ("header", "meta", "http-equiv", "nowhere")


def html(encoding: str, place: str) -> str:
    title, description, paragraph = PAGES[encoding]
    declaration = {
        "meta": f'<meta charset="{encoding}">',
        "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
    }.get(place, "")
    return (
        f"<!doctype html><html><head>{declaration}<title>{title}</title>"
        f'<meta name="description" content="{description}"></head>'
        f"<body><article><h1>{title}</h1><p>{description}</p><p>{paragraph}</p>"
        "</article></body></html>"
    )


def header(encoding: str, place: str) -> str:
    return f"text/html; charset={encoding}" if place == "header" else "text/html"


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("encoding", PAGES)
def test_a_page_is_read_in_the_charset_it_declares_or_the_one_detected(
    encoding: str, place: str
) -> None:
    body = html(encoding, place).encode(encoding)
    meta = extract_page(body, "https://example.org/news/1", header(encoding, place), {})
    title, description, _ = PAGES[encoding]
    assert (meta.title, meta.summary) == (title, description)


# Too little text for detection to get right: only the declaration can.
SHORT = {
    "koi8-r": "Привет, мир",
    "shift_jis": "日本語",
    "windows-1252": "Ça va",
    "iso-8859-2": "Zażółć",
}


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset={}",
        'text/html; Charset="{}"',
        "text/html; charset={}; foo=bar",
        "text/html",  # declared in the page instead, below
    ],
)
@pytest.mark.parametrize("encoding", SHORT)
def test_a_short_page_is_read_in_the_charset_it_declares(encoding: str, content_type: str) -> None:
    words = SHORT[encoding]
    declared_in_page = "charset" not in content_type
    meta = f'<meta charset="{encoding}">' if declared_in_page else ""
    body = f"<html><head>{meta}<title>{words}</title></head></html>".encode(encoding)
    assert f"<title>{words}</title>" in decode_page(body, content_type.format(encoding))


def test_enrich_reads_nine_charsets_declared_four_ways_and_a_mislabelled_page(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    (env / "curator.toml").write_text("[fetch]\ntimeout = 10\n")
    expected = {}
    for encoding in PAGES:
        for place in PLACES:
            body = html(encoding, place).encode(encoding)
            url = server.add(f"/{encoding}/{place}", body, content_type=header(encoding, place))
            expected[url] = PAGES[encoding][:2]
    latin = html("windows-1252", "nowhere").encode("windows-1252")
    mislabelled = server.add("/mislabelled", latin, content_type="text/html; charset=UTF-8")
    expected[mislabelled] = PAGES["windows-1252"][:2]
    invoke(runner, "add", *expected)
    _, stderr = invoke(runner, "enrich")
    assert f"enriched {len(expected)}, failed 0" in stderr
    items = json.loads(invoke(runner, "list", "--json")[0])
    assert {item["url"]: (item["title"], item["summary"]) for item in items} == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_a_byte_order_mark_alone_names_the_encoding(encoding: str) -> None:
    bom = "\ufeff".encode(encoding)
    body = bom + html("windows-1252", "nowhere").encode(encoding)
    meta = extract_page(body, "https://example.org/cafe", "text/html", {})
    assert meta.title == PAGES["windows-1252"][0]


def test_a_byte_order_mark_beats_a_wrong_header() -> None:
    text = "\ufeff<title>Zażółć gęślą jaźń</title>"
    assert decode_page(text.encode("utf-8"), "text/html; charset=iso-8859-1") == text[1:]


def test_a_header_that_says_utf_8_over_windows_1252_bytes_is_detected() -> None:
    body = html("windows-1252", "nowhere").encode("windows-1252")
    meta = extract_page(body, "https://example.org/cafe", "text/html; charset=UTF-8", {})
    assert meta.title == "Café crème : l’histoire d’une boisson parisienne"


def test_a_declaration_that_fails_to_decode_gives_way_to_the_next() -> None:
    body = '<meta charset="windows-1251"><title>Привет</title>'.encode("cp1251")
    assert "Привет" in decode_page(body, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    ("label", "decoder"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("euc-kr", "cp949"),
        ("big5", "big5hkscs"),
        ("windows-874", "cp874"),
        ("x-mac-cyrillic", "mac-cyrillic"),
        (' "utf8" ', "utf-8"),
        ("utf-16", "utf-16-le"),
    ],
)
def test_labels_map_to_the_decoders_browsers_use(label: str, decoder: str) -> None:
    assert whatwg_decoder(label) == decoder


@pytest.mark.parametrize("label", ["utf-7", "unicode_escape", "cp037", "rot13", "no-such"])
def test_labels_that_are_no_web_encoding_are_ignored(label: str) -> None:
    assert whatwg_decoder(label) is None
    assert decode_page(b"<title>+AGEAYgBj-</title>", f"text/html; charset={label}") == (
        "<title>+AGEAYgBj-</title>"
    )


def test_iso_8859_1_is_read_as_windows_1252_like_browsers_do() -> None:
    body = "<title>It’s “quoted” – 50 €</title>".encode("cp1252")
    assert decode_page(body, "text/html; charset=iso-8859-1") == (
        "<title>It’s “quoted” – 50 €</title>"
    )


def test_a_meta_charset_inside_a_comment_is_not_a_declaration() -> None:
    body = '<!-- <meta charset="koi8-r"> --><meta charset="windows-1251"><p>Привет</p>'
    assert "Привет" in decode_page(body.encode("cp1251"), "text/html")


def test_a_meta_that_claims_utf_16_means_utf_8() -> None:
    body = '<meta charset="utf-16"><title>Ünïcödé</title>'.encode()
    assert decode_page(body, "") == '<meta charset="utf-16"><title>Ünïcödé</title>'


def test_an_xhtml_page_with_an_xml_declaration_is_parsed_in_its_encoding() -> None:
    body = (
        '<?xml version="1.0" encoding="iso-8859-2"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Dziesiątej rocznicy</title>'
        "</head><body><p>Rada miasta przyjęła uchwałę.</p><p>Źródła są znane.</p></body></html>"
    ).encode("iso-8859-2")
    meta = extract_page(body, "https://example.pl/a", "application/xhtml+xml", {})
    assert meta.title == "Dziesiątej rocznicy"


def test_bytes_no_encoding_accepts_still_decode() -> None:
    assert decode_page(b"<p>\xff\xfe\xfd\x81</p>", "text/html; charset=utf-8").startswith("<p>")
