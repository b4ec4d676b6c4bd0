"""A large synthetic corpus of party-committee news sites for the throughput benchmark.

Usage: .venv/bin/python benchmarks/corpus.py OUT_DIR [--articles 20000] [--sites 20] [--seed 1]

Writes, quickly and deterministically, ``--sites`` fictional sites in five CMS styles (NukeViet,
WordPress, ASP.NET on IIS, Liferay, Joomla) holding ``--articles`` article pages between them,
each about 50 KB as real provincial sites serve them: inline CSS and scripts, a header with a
date widget and a search box, a two-level menu, breadcrumbs, the article (title, dateline,
author, lead, paragraphs, photos with captions, sometimes a table), related links, a sidebar of
"Tin mới" (latest) and "Xem nhiều" (most read) lists, a poll, a visitor counter, banners and a
footer. Category listings of 20 teasers with dates are paginated, the home page links the
latest articles and the menu, WordPress sites declare a sitemap in robots.txt and NukeViet
sites an RSS feed, so the crawler discovers every article the way it does on the real sites.
About 4 % of the articles are re-publications of another site's article (same body, other title,
lead and byline), so near-duplicate detection has work to do.

Layout of OUT_DIR:

    sites.csv         a registry of the sites (crawler.registry format)
    manifest.json     {"articles": N, "pages": M, "hosts": {host: {"file", "server", "iis",
                      "index": {path: [offset, length, content_type]}}}}
    <host>.bin        every resource of the host, concatenated (served with mmap)

The text is generated from a phrase bank written for this benchmark: grammatical fragments
combined at random, so that two articles share stock phrases but no long runs of words, as two
real articles do. Nothing here comes from the acceptance kit.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

# --- phrase bank ------------------------------------------------------------------------------

SUBJECTS = (
    "Ban Thường vụ Huyện ủy",
    "Ban Chấp hành Đảng bộ tỉnh",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ban Dân vận Huyện ủy",
    "Đảng ủy Khối các cơ quan tỉnh",
    "Thường trực Thành ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Mặt trận Tổ quốc huyện",
    "Hội Nông dân tỉnh",
    "Huyện đoàn",
    "Hội Liên hiệp Phụ nữ thị xã",
    "Hội Cựu chiến binh huyện",
    "Đảng ủy xã",
    "Chi bộ thôn",
    "Trường Chính trị tỉnh",
    "Trung tâm Chính trị huyện",
    "Ủy ban nhân dân tỉnh",
    "Đoàn công tác của Tỉnh ủy",
    "Các cấp ủy, tổ chức đảng",
    "Cán bộ, đảng viên và nhân dân",
    "Lãnh đạo các sở, ban, ngành",
    "Đoàn đại biểu Quốc hội tỉnh",
    "Đảng bộ Quân sự tỉnh",
    "Công an tỉnh",
)
VERBS = (
    "đã tổ chức",
    "vừa tổ chức",
    "triển khai thực hiện",
    "tiến hành sơ kết",
    "tổng kết việc thực hiện",
    "quán triệt sâu sắc",
    "tập trung lãnh đạo",
    "chỉ đạo quyết liệt",
    "kiểm tra, giám sát",
    "ban hành kế hoạch",
    "thống nhất chủ trương",
    "đánh giá cao kết quả",
    "phát động đợt thi đua",
    "tiếp tục đẩy mạnh",
    "thảo luận, cho ý kiến về",
    "thẩm định hồ sơ",
    "khẩn trương hoàn thành",
    "rà soát, bổ sung",
    "công bố quyết định về",
    "trao đổi kinh nghiệm trong",
)
OBJECTS = (
    "công tác xây dựng Đảng và hệ thống chính trị",
    "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVI",
    "việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "công tác cải cách hành chính và chuyển đổi số",
    "kế hoạch phát triển kinh tế - xã hội năm",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "việc sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả",
    "công tác phát triển đảng viên mới",
    "phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
    "công tác dân vận chính quyền",
    "việc bảo vệ nền tảng tư tưởng của Đảng",
    "công tác phòng, chống tham nhũng, lãng phí, tiêu cực",
    "chương trình giảm nghèo bền vững",
    "công tác quốc phòng, quân sự địa phương",
    "việc giải quyết khiếu nại, tố cáo của công dân",
    "đề án đào tạo, bồi dưỡng cán bộ nguồn",
    "chỉ thị của Ban Bí thư về tăng cường công tác tuyên truyền",
    "kế hoạch tổ chức đại hội chi bộ nhiệm kỳ mới",
    "công tác chăm lo đời sống gia đình chính sách",
    "dự án đường giao thông liên xã",
    "mô hình sản xuất lúa hữu cơ",
    "phong trào thi đua Dân vận khéo",
    "công tác phòng, chống thiên tai và tìm kiếm cứu nạn",
    "việc thu hút đầu tư vào các cụm công nghiệp",
    "công tác bảo vệ môi trường khu dân cư",
    "chương trình mỗi xã một sản phẩm",
    "việc nâng cao chất lượng sinh hoạt chi bộ",
    "công tác thông tin đối ngoại",
    "công tác bầu cử đại biểu Hội đồng nhân dân các cấp",
)
COMPLEMENTS = (
    "trong thời gian tới",
    "ngay từ những tháng đầu năm",
    "theo đúng kế hoạch đề ra",
    "với nhiều cách làm sáng tạo",
    "một cách đồng bộ, hiệu quả",
    "gắn với nhiệm vụ chính trị của địa phương",
    "trên địa bàn toàn huyện",
    "tại các chi bộ trực thuộc",
    "bảo đảm đúng quy định",
    "với sự tham gia của đông đảo nhân dân",
    "nhằm tạo sự chuyển biến rõ nét",
    "góp phần hoàn thành thắng lợi các chỉ tiêu",
    "ở cơ sở",
    "trong toàn Đảng bộ",
    "theo tinh thần chỉ đạo của Trung ương",
    "đến năm 2030",
    "trong giai đoạn 2021 - 2025",
    "một cách thiết thực",
)
CONNECTORS = (
    "Theo báo cáo,",
    "Phát biểu chỉ đạo,",
    "Qua đó,",
    "Bên cạnh đó,",
    "Tuy nhiên,",
    "Đồng thời,",
    "Trong năm qua,",
    "Tại hội nghị,",
    "Thời gian qua,",
    "Cùng với đó,",
    "Để đạt được kết quả trên,",
    "Ngoài ra,",
)
RESULTS = (
    "đạt {n}% kế hoạch năm",
    "tăng {n}% so với cùng kỳ",
    "kết nạp {n} đảng viên mới",
    "hoàn thành {n} công trình dân sinh",
    "huy động hơn {n} tỷ đồng",
    "giải quyết dứt điểm {n} vụ việc",
    "tổ chức {n} hội nghị chuyên đề",
    "có {n} tổ chức cơ sở đảng được xếp loại hoàn thành xuất sắc nhiệm vụ",
    "trao {n} suất quà cho hộ nghèo",
    "mở {n} lớp bồi dưỡng lý luận chính trị",
)
ASSESSMENTS = (
    "còn một số hạn chế cần sớm khắc phục",
    "chất lượng chưa đồng đều giữa các đơn vị",
    "nhận thức của một bộ phận cán bộ chưa đầy đủ",
    "nguồn lực đầu tư còn hạn chế",
    "kết quả đạt được là quan trọng, toàn diện",
    "nhiều mô hình hay được nhân rộng",
    "công tác phối hợp có lúc chưa chặt chẽ",
    "niềm tin của nhân dân đối với Đảng được củng cố",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Xuân", "Thu")
GIVEN = (
    *("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai"),
    *("Nam", "Phong", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vân", "Yến"),
)
ROLES = (
    "Bí thư Tỉnh ủy",
    "Phó Bí thư Thường trực Huyện ủy",
    "Trưởng Ban Tuyên giáo Tỉnh ủy",
    "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy",
    "Chủ tịch Ủy ban nhân dân huyện",
    "Trưởng Ban Dân vận Thành ủy",
    "Bí thư Đảng ủy xã",
    "Ủy viên Ban Thường vụ Tỉnh ủy",
)
PLACES = (
    "An Mỹ",
    "Bình Sơn",
    "Cẩm Hà",
    "Đông Phú",
    "Gia Lộc",
    "Hòa Bình Tây",
    "Kim Thành",
    "Long Điền",
    "Mỹ Lợi",
    "Nam Sách",
    "Phú Xuân",
    "Quảng Lợi",
    "Sơn Tịnh",
    "Tân Hưng",
    "Thạch Bàn",
    "Vĩnh An",
    "Xuân Trường",
    "Yên Lạc",
    "Lạc Thủy",
    "Hương Trà",
    "Đức Phổ",
    "Tam Nông",
)
EVENTS = (
    "Hội nghị sơ kết 6 tháng đầu năm",
    "Hội nghị Ban Chấp hành Đảng bộ",
    "Lễ trao Huy hiệu Đảng",
    "Hội nghị học tập, quán triệt Nghị quyết",
    "Hội thi Bí thư chi bộ giỏi",
    "Lễ kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam",
    "Đại hội điểm chi bộ",
    "Hội nghị đối thoại với nhân dân",
    "Lễ ra quân huấn luyện",
    "Hội nghị tổng kết công tác tuyên giáo",
    "Lễ khánh thành nhà văn hóa thôn",
    "Hội nghị báo cáo viên",
)
CATEGORIES = (
    ("tin-tuc-su-kien", "Tin tức - Sự kiện"),
    ("xay-dung-dang", "Xây dựng Đảng"),
    ("kinh-te-xa-hoi", "Kinh tế - Xã hội"),
    ("quoc-phong-an-ninh", "Quốc phòng - An ninh"),
    ("van-hoa-the-thao", "Văn hóa - Thể thao"),
    ("hoc-tap-lam-theo-bac", "Học tập và làm theo Bác"),
    ("kiem-tra-giam-sat", "Kiểm tra - Giám sát"),
    ("dan-van", "Công tác Dân vận"),
)
CATEGORIES_PER_SITE = 6
SUBMENU = (
    "Giới thiệu chung",
    "Lịch sử Đảng bộ",
    "Cơ cấu tổ chức",
    "Văn bản chỉ đạo",
    "Lịch công tác",
    "Hỏi đáp",
    "Thư viện ảnh",
    "Video",
    "Tài liệu sinh hoạt chi bộ",
    "Danh bạ điện thoại",
)
TOPICS = (
    "Bảo vệ nền tảng tư tưởng của Đảng",
    "Chuyển đổi số",
    "Nông thôn mới",
    "Cải cách hành chính",
    "Đại hội Đảng các cấp",
    "Phòng, chống tham nhũng",
    "Gương sáng đảng viên",
    "Biển, đảo Việt Nam",
)
STATIC_PAGES = ("Đăng nhập", "Liên hệ", "Sơ đồ trang", "Kết quả bình chọn")
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_ASCII = str.maketrans(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ",
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd",
)

#: the five CMS styles, assigned to sites in turn
STYLES = ("nukeviet", "wordpress", "aspnet", "liferay", "joomla")
SERVERS = {
    "nukeviet": "Apache/2.4.41 (Ubuntu)",
    "wordpress": "nginx/1.18.0",
    "aspnet": "Microsoft-IIS/10.0",
    "liferay": "Apache-Coyote/1.1",
    "joomla": "Apache",
}
TEASERS_PER_PAGE = 20
#: bumped whenever the pages change, so that a kept corpus of an older format is regenerated
FORMAT = 2
HTML_TYPE = "text/html; charset=utf-8"
#: the newest article is dated this day; the rest go back about a week-end per article
#: Vietnam time, in which the pages print their timestamps
_VN = timezone(timedelta(hours=7))
NEWEST = datetime(2026, 10, 30, 9, 30, tzinfo=_VN)


def slugify(text: str) -> str:
    """ASCII slug of Vietnamese text, as the CMSs build their URLs."""
    folded = text.lower().translate(_ASCII)
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())[:80].strip("-")


def static_path(label: str) -> str:
    """Where a site keeps its static page of this name (about, contact, topic pages)."""
    return f"/gioi-thieu/{slugify(label)}.html"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def sentence(rng: random.Random) -> str:
    """One sentence from fragments: stock phrases, but no long run of words shared widely."""
    kind = rng.random()
    if kind < 0.35:
        text = (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(COMPLEMENTS)}"
        )
    elif kind < 0.6:
        result = rng.choice(RESULTS).format(n=rng.randint(2, 980))
        text = (
            f"{rng.choice(CONNECTORS)} xã {rng.choice(PLACES)} {result}, {rng.choice(ASSESSMENTS)}"
        )
    elif kind < 0.8:
        text = (
            f"Đồng chí {person(rng)}, {rng.choice(ROLES)} đề nghị {rng.choice(SUBJECTS).lower()} "
            f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}, {rng.choice(COMPLEMENTS)}"
        )
    else:
        text = (
            f"{rng.choice(CONNECTORS)} {rng.choice(OBJECTS)} tại {rng.choice(PLACES)} "
            f"{rng.choice(RESULTS).format(n=rng.randint(2, 980))} {rng.choice(COMPLEMENTS)}"
        )
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def title(rng: random.Random, year: int) -> str:
    kind = rng.random()
    place = rng.choice(PLACES)
    if kind < 0.4:
        return f"{rng.choice(EVENTS)} {place} năm {year}"
    if kind < 0.7:
        obj = rng.choice(OBJECTS)
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {obj} tại {place}"
    return f"{place}: {rng.choice(RESULTS).format(n=rng.randint(2, 980))}"


# --- articles ---------------------------------------------------------------------------------


@dataclass
class Article:
    """One article of one site, before rendering."""

    number: int  # 0 = newest on its site
    category: int
    title: str
    published: datetime
    author: str
    lead: str
    paragraphs: list[str]
    captions: list[str]
    has_table: bool
    copy_of: Article | None = None
    url: str = ""


@dataclass
class SiteSpec:
    """One generated site: identity, style and its articles, newest first."""

    index: int
    style: str
    host: str
    site_id: str
    name: str
    province: str
    categories: list[tuple[str, str]]
    articles: list[Article] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.host}"


def make_article(rng: random.Random, number: int, category: int, published: datetime) -> Article:
    return Article(
        number=number,
        category=category,
        title=title(rng, published.year),
        published=published,
        author=person(rng),
        lead=" ".join(sentence(rng) for _ in range(2)),
        paragraphs=[paragraph(rng) for _ in range(rng.randint(6, 12))],
        captions=[
            f"{rng.choice(EVENTS)} tại {rng.choice(PLACES)}. (Ảnh: {person(rng)})"
            for _ in range(rng.randint(1, 3))
        ],
        has_table=rng.random() < 0.15,
    )


def plan_sites(articles: int, sites: int, seed: int) -> list[SiteSpec]:
    """Sites with their articles (text generated, not rendered), deterministic for a seed."""
    rng = random.Random(seed)
    specs = []
    places = list(PLACES)
    rng.shuffle(places)
    for i in range(sites):
        style = STYLES[i % len(STYLES)]
        place = places[i % len(places)]
        kind = ("tinhuy", "huyenuy", "thanhuy", "dangbo", "bantuyengiao")[i % 5]
        slug = slugify(place).replace("-", "")
        host = f"{kind}{slug}{i:02d}.bench.vn"
        label = {
            "tinhuy": "Tỉnh ủy",
            "huyenuy": "Huyện ủy",
            "thanhuy": "Thành ủy",
            "dangbo": "Đảng bộ khối",
            "bantuyengiao": "Ban Tuyên giáo",
        }[kind]
        cats = rng.sample(CATEGORIES, CATEGORIES_PER_SITE)
        specs.append(
            SiteSpec(i, style, host, f"bench{i:02d}", f"{label} {place}", place, list(cats))
        )
    for i in range(articles):
        spec = specs[i % sites]
        number = len(spec.articles)
        published = NEWEST - timedelta(hours=61 * number + rng.randint(0, 50), minutes=i % 60)
        spec.articles.append(make_article(rng, number, number % CATEGORIES_PER_SITE, published))
    # About 4 % re-publish an article of another site: same body, their own title and byline.
    for spec in specs:
        for article in spec.articles:
            if sites > 1 and rng.random() < 0.04:
                other = specs[(spec.index + rng.randint(1, sites - 1)) % sites]
                source = rng.choice(other.articles) if other.articles else None
                if source is not None and source.copy_of is None:
                    article.copy_of = source
                    article.paragraphs = source.paragraphs
                    article.title = f"{source.title} ({spec.province})"
    for spec in specs:
        used: set[str] = set()
        for article in spec.articles:
            url = article_path(spec, article)
            # Two articles of one day with one title: the CMS appends a number, as WordPress does.
            n = 2
            while url.lower() in used:
                base = article_path(spec, article)
                url = base[:-1] + f"-{n}/" if base.endswith("/") else f"{base}-{n}"
                n += 1
            used.add(url.lower())
            article.url = url
    return specs


# --- URLs per style ---------------------------------------------------------------------------


def article_path(spec: SiteSpec, article: Article) -> str:
    cat = spec.categories[article.category][0]
    slug = slugify(article.title)
    ident = 10000 + article.number * 7 + spec.index
    if spec.style == "nukeviet":
        return f"/news/{cat}/{slug}-{ident}.html"
    if spec.style == "wordpress":
        return f"/{article.published:%Y/%m/%d}/{slug}/"
    if spec.style == "aspnet":
        return f"/Tin-tuc/{ident}/{slug.title()}.aspx"
    if spec.style == "liferay":
        return f"/web/guest/{cat}/-/asset_publisher/Pb{spec.index:02d}x/content/{slug}-{ident}"
    return f"/index.php/{cat}/{ident}-{slug}"


def listing_path(spec: SiteSpec, category: int, page: int) -> str:
    cat = spec.categories[category][0]
    if spec.style == "nukeviet":
        return f"/news/{cat}/" + (f"page-{page}/" if page > 1 else "")
    if spec.style == "wordpress":
        return f"/chuyen-muc/{cat}/" + (f"page/{page}/" if page > 1 else "")
    if spec.style == "aspnet":
        return f"/chuyen-muc/{cat}.aspx" + (f"?page={page}" if page > 1 else "")
    if spec.style == "liferay":
        return f"/web/guest/{cat}" + (f"?trang={page}" if page > 1 else "")
    return f"/index.php/{cat}" + (f"?start={(page - 1) * TEASERS_PER_PAGE}" if page > 1 else "")


# --- rendering --------------------------------------------------------------------------------

_CSS_RULES = (
    ".{c} {{ margin: 0 {a}px {b}px 0; padding: {b}px {a}px; font: {a}px/1.{b} Arial; }}",
    ".{c} a:hover {{ color: #{a:02x}{b:02x}9f; text-decoration: underline; }}",
    ".{c} .title-{a} {{ border-bottom: {b}px solid #c00; background: url(/img/bg{a}.png); }}",
    "@media (max-width: {a}0px) {{ .{c} {{ display: block; width: 100%; float: none; }} }}",
)
_CSS_NAMES = ("header", "menu", "box", "news", "sidebar", "footer", "item", "panel", "tab", "row")


def inline_css(rng: random.Random, size: int) -> str:
    rules: list[str] = []
    total = 0
    while total < size:
        rule = rng.choice(_CSS_RULES).format(
            c=f"{rng.choice(_CSS_NAMES)}-{rng.randint(1, 99)}",
            a=rng.randint(2, 60),
            b=rng.randint(1, 9),
        )
        rules.append(rule)
        total += len(rule) + 1
    return "<style type='text/css'>\n" + "\n".join(rules) + "\n</style>"


def inline_script(rng: random.Random, size: int) -> str:
    lines = [
        "window.dataLayer = window.dataLayer || [];",
        "function gtag(){dataLayer.push(arguments);} gtag('js', new Date());",
    ]
    total = 0
    while total < size:
        n = rng.randint(1, 999)
        line = (
            f"var cfg{n} = {{id: {n}, url: '/ajax/widget.php?id={n}&amp;t=' + Date.now(), "
            f"lazy: {str(rng.random() < 0.5).lower()}, slots: [{n % 7}, {n % 11}, {n % 13}]}};"
        )
        lines.append(line)
        total += len(line)
    return "<script type='text/javascript'>\n" + "\n".join(lines) + "\n</script>"


def _date_vn(moment: datetime, style: str) -> str:
    if style == "nukeviet":
        return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y - %H:%M}"
    if style == "wordpress":
        return f"{moment:%d/%m/%Y}"
    if style == "aspnet":
        return f"Cập nhật lúc {moment:%H:%M} ngày {moment:%d/%m/%Y}"
    if style == "liferay":
        return f"Ngày đăng: {moment:%d/%m/%Y %H:%M}"
    return f"Ngày {moment.day} tháng {moment.month} năm {moment.year}"


@dataclass
class SiteChrome:
    """The parts of a site's pages that do not change from page to page."""

    head_extra: str
    header: str
    menu: str
    widgets: str
    footer: str
    scripts: str


def site_chrome(spec: SiteSpec, rng: random.Random) -> SiteChrome:
    esc = html.escape
    menu_items = []
    for i, (_slug, label) in enumerate(spec.categories):
        subs = "".join(
            f'<li class="sub-item"><a href="{static_path(s)}"><span>{esc(s)}</span></a></li>'
            for s in (SUBMENU * 2)[i : i + 6]
        )
        href = listing_path(spec, i, 1)
        menu_items.append(
            f'<li class="menu-item has-sub"><a href="{href}"><span>{esc(label)}</span></a>'
            f'<div class="sub-wrap"><ul class="sub-menu">{subs}</ul></div></li>'
        )
    if spec.style == "wordpress":
        menu = (
            '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
            f'<li><a href="/">Trang chủ</a></li>{"".join(menu_items)}</ul></nav>'
        )
    else:
        menu = (
            '<div id="mainmenu" class="mainmenu"><ul class="nav-menu">'
            f'<li><a href="/">Trang chủ</a></li>{"".join(menu_items)}</ul></div>'
        )
    viewstate = ""
    if spec.style == "aspnet":
        blob = base64.b64encode(rng.randbytes(4000)).decode()
        viewstate = (
            '<form method="post" action="./Default.aspx" id="aspnetForm"><div class="aspNetHidden">'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{blob}" /></div>'
        )
    ticker = "".join(f'<li><a href="{a.url}">{esc(a.title)}</a></li>' for a in spec.articles[:10])
    header = (
        f'{viewstate}<div id="header" class="header"><div class="top-bar">'
        '<span class="date-widget">{{today}}</span>'
        '<form class="search" action="/tim-kiem.html"><input name="q" placeholder="Tìm kiếm..."/>'
        '<button type="submit">Tìm</button></form>'
        f'<a href="{static_path("Đăng nhập")}" class="login">Đăng nhập</a> | '
        f'<a href="{static_path("Liên hệ")}">Liên hệ</a> | <a href="{static_path("Sơ đồ trang")}">'
        "Sơ đồ trang</a>"
        f'</div><div class="banner"><a href="/"><img src="/uploads/logo-{spec.site_id}.png" '
        f'alt="{esc(spec.name)}"/></a><h2 class="site-name">ĐẢNG CỘNG SẢN VIỆT NAM - '
        f"{esc(spec.name.upper())}</h2></div>"
        '<div class="ticker"><strong>Tin mới:</strong>'
        f'<ul class="marquee">{ticker}</ul></div></div>'
    )
    banners = "".join(
        f'<div class="banner-item"><a href="http://{h}/" target="_blank">'
        f'<img src="/uploads/banner/{h.split(".")[0]}.jpg" alt="{esc(t)}"/></a></div>'
        for h, t in (
            ("dangcongsan.vn", "Báo điện tử Đảng Cộng sản Việt Nam"),
            ("tapchicongsan.org.vn", "Tạp chí Cộng sản"),
            ("chinhphu.vn", "Cổng thông tin điện tử Chính phủ"),
            ("baochinhphu.vn", "Báo Chính phủ"),
            ("qdnd.vn", "Báo Quân đội nhân dân"),
        )
    )
    poll = (
        '<div class="box poll"><h3 class="box-title">Thăm dò ý kiến</h3>'
        "<p>Bạn quan tâm nhất đến nội dung nào trên trang?</p><ul>"
        + "".join(
            f'<li><input type="radio" name="poll" value="{i}"/> {esc(o)}</li>'
            for i, o in enumerate(
                ("Tin tức thời sự", "Văn bản chỉ đạo", "Học tập và làm theo Bác", "Ý kiến khác")
            )
        )
        + '</ul><button>Biểu quyết</button> <a href="'
        + static_path("Kết quả bình chọn")
        + '">Xem kết quả</a></div>'
    )
    counter = (
        '<div class="box stats"><h3 class="box-title">Thống kê truy cập</h3><ul>'
        f"<li>Đang truy cập: {rng.randint(20, 400)}</li>"
        f"<li>Hôm nay: {rng.randint(500, 9000):,}</li>"
        f"<li>Tổng lượt truy cập: {rng.randint(1_000_000, 90_000_000):,}</li></ul></div>"
    ).replace(",", ".")
    video = (
        '<div class="box video"><h3 class="box-title">Video</h3>'
        f'<video controls poster="/uploads/video/thumb{spec.index}.jpg">'
        f'<source src="/uploads/video/clip{spec.index}.mp4" type="video/mp4"/></video>'
        f"<p>{esc(rng.choice(EVENTS))} {esc(spec.province)}</p></div>"
    )
    docs = (
        '<div class="box docs"><h3 class="box-title">Văn bản mới</h3><ul>'
        + "".join(
            f'<li><a href="/van-ban/{n}-cv-tu.pdf">Số {n}-CV/TU về '
            f"{esc(rng.choice(OBJECTS))}</a></li>"
            for n in rng.sample(range(100, 999), 6)
        )
        + "</ul></div>"
    )
    topics = (
        '<div class="box topics"><h3 class="box-title">Chuyên đề</h3><ul class="list">'
        + "".join(
            f'<li><i class="icon-arrow"></i><a href="{static_path(t)}">'
            f"<span>{esc(t)}</span></a></li>"
            for t in TOPICS
        )
        + "</ul></div>"
    )
    weblinks = (
        '<div class="box weblinks"><h3 class="box-title">Liên kết website</h3>'
        '<select onchange="window.open(this.value)"><option value="">-- Chọn website --</option>'
        + "".join(
            f'<option value="http://{slugify(p).replace("-", "")}.dcs.vn/">'
            f"Đảng bộ {esc(p)}</option>"
            for p in PLACES
        )
        + "</select></div>"
    )
    widgets = (
        topics
        + poll
        + video
        + docs
        + '<div class="box banners">'
        + banners
        + "</div>"
        + weblinks
        + counter
    )
    footer = (
        '<div id="footer" class="footer"><div class="footer-menu">'
        + " | ".join(
            f'<a href="{listing_path(spec, i, 1)}">{esc(label)}</a>'
            for i, (_s, label) in enumerate(spec.categories)
        )
        + f"</div><p><strong>{esc(spec.name.upper())}</strong></p>"
        f"<p>Cơ quan chủ quản: Văn phòng {esc(spec.name)}. Địa chỉ: số {rng.randint(1, 300)} "
        f"đường {esc(rng.choice(PLACES))}, {esc(spec.province)}.</p>"
        f"<p>Điện thoại: 0{rng.randint(200, 299)}.{rng.randint(3000000, 3999999)} - Email: "
        f"vanphong@{spec.host}</p><p>Giấy phép số {rng.randint(10, 99)}/GP-TTĐT. Ghi rõ nguồn "
        f"khi phát hành lại thông tin từ website này.</p><p>Thiết kế bởi Trung tâm CNTT</p></div>"
    )
    feed = ""
    if spec.style == "nukeviet":
        feed = (
            '<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/news/rss/"/>'
        )
    head_extra = (
        '<link rel="stylesheet" href="/themes/default/css/style.css?v=4"/>'
        '<link rel="icon" href="/favicon.ico"/>' + feed + inline_css(rng, 8000)
    )
    scripts = inline_script(rng, 5000)
    if spec.style == "aspnet":
        scripts += "</form>"
    return SiteChrome(head_extra, header, menu, widgets, footer, scripts)


def _teaser_list(spec: SiteSpec, articles: list[Article], heading: str, css: str) -> str:
    items = "".join(
        f'<li><a href="{a.url}" title="{html.escape(a.title)}">{html.escape(a.title)}</a> '
        f'<span class="date">({a.published:%d/%m/%Y})</span></li>'
        for a in articles
    )
    return f'<div class="box {css}"><h3 class="box-title">{heading}</h3><ul>{items}</ul></div>'


def page_html(
    spec: SiteSpec,
    chrome: SiteChrome,
    *,
    title_text: str,
    main: str,
    sidebar_lists: str,
    head: str = "",
    canonical: str = "",
    today: datetime,
) -> str:
    esc = html.escape
    today_text = f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}"
    canon = f'<link rel="canonical" href="{canonical}"/>' if canonical else ""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"/>'
        f"<title>{esc(title_text)} - {esc(spec.name)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"{canon}{head}{chrome.head_extra}</head>"
        f'<body class="{spec.style}"><div id="wrapper">'
        + chrome.header.replace("{{today}}", today_text)
        + chrome.menu
        + '<div id="content" class="clearfix"><div id="main" class="col-main">'
        + main
        + '</div><div id="sidebar" class="col-right">'
        + sidebar_lists
        + chrome.widgets
        + "</div></div>"
        + chrome.footer
        + "</div>"
        + chrome.scripts
        + "</body></html>"
    )


def paragraph_html(style: str, text: str) -> str:
    """A paragraph as the site's editor writes it: WYSIWYG editors wrap text in styled spans,
    and text pasted from Word keeps one span per run."""
    esc = html.escape
    if style == "wordpress":
        return f"<p>{esc(text)}</p>"
    if style == "aspnet":
        runs = "".join(
            f'<span lang="VI" style="font-size:14.0pt;line-height:115%">{esc(run)} </span>'
            for run in text.split(". ")
        )
        return f'<p class="MsoNormal" style="text-align:justify;text-indent:36.0pt">{runs}</p>'
    return (
        '<p style="text-align: justify;"><span style="font-size:14px;">'
        f'<span style="font-family:Arial,Helvetica,sans-serif;">{esc(text)}</span></span></p>'
    )


def static_html(spec: SiteSpec, chrome: SiteChrome, label: str, sidebar_lists: str) -> str:
    """A short static page (about, contact, topic): not an article."""
    esc = html.escape
    main = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> » {esc(label)}</div>'
        f'<h1 class="page-title">{esc(label)}</h1><div class="static-content">'
        f"<p>{esc(spec.name)}: nội dung đang được cập nhật.</p></div>"
    )
    return page_html(
        spec,
        chrome,
        title_text=label,
        main=main,
        sidebar_lists=sidebar_lists,
        today=NEWEST + timedelta(days=24),
    )


def article_html(
    spec: SiteSpec,
    chrome: SiteChrome,
    article: Article,
    sidebar_lists: str,
    related: list[Article],
    rng: random.Random,
) -> str:
    esc = html.escape
    cat_slug, cat_label = spec.categories[article.category]
    images = []
    for i, caption in enumerate(article.captions):
        images.append(
            f'<figure class="image"><img src="/uploads/news/{article.published:%Y_%m}/'
            f'{cat_slug}-{article.number}-{i}.jpg" alt=""/>'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    body: list[str] = []
    for i, para in enumerate(article.paragraphs):
        body.append(paragraph_html(spec.style, para))
        if i % 4 == 1 and images:
            body.append(images.pop(0))
    body.extend(images)
    if article.has_table:
        rows = "".join(
            f"<tr><td>{n + 1}</td><td>{esc(rng.choice(PLACES))}</td>"
            f"<td>{rng.randint(10, 999)}</td><td>{rng.randint(50, 100)}%</td></tr>"
            for n in range(6)
        )
        body.append(
            '<table class="data" border="1"><tr><th>STT</th><th>Đơn vị</th><th>Số lượng</th>'
            f"<th>Tỷ lệ</th></tr>{rows}</table>"
        )
    author = (
        f'<p class="author" style="text-align:right"><strong>{esc(article.author)}</strong></p>'
    )
    dateline = _date_vn(article.published, spec.style)
    items = [
        f'<li><a href="{r.url}">{esc(r.title)}</a> <span>({r.published:%d/%m/%Y})</span></li>'
        for r in related
    ]
    share = "".join(
        f'<li><a href="https://{net}/share?u={spec.base}{article.url}" class="share-{name}" '
        f'title="Chia sẻ {name}"><i class="icon-{name}"></i></a></li>'
        for name, net in (
            ("facebook", "www.facebook.com"),
            ("zalo", "sp.zalo.me"),
            ("twitter", "twitter.com"),
            ("linkedin", "www.linkedin.com"),
        )
    )
    tools = (
        '<div class="tools"><a href="javascript:window.print()">In bài</a> '
        '<a href="mailto:?subject=bai-viet">Gửi email</a> '
        f'<span class="views">Số lượt xem: {rng.randint(10, 5000)}</span> '
        f'<ul class="share">{share}</ul></div>'
    )
    breadcrumb = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> » '
        f'<a href="{listing_path(spec, article.category, 1)}">{esc(cat_label)}</a></div>'
    )
    main = (
        f'{breadcrumb}<div class="news-detail"><h1 class="title">{esc(article.title)}</h1>'
        f'<div class="meta"><span class="time">{dateline}</span></div>'
        f'<div class="sapo"><strong>{esc(article.lead)}</strong></div>'
        f'<div class="content">{"".join(body)}</div>{author}{tools}</div>'
        f'<div class="related"><h3>Tin liên quan</h3><ul>{"".join(items[:4])}</ul></div>'
        f'<div class="same-category"><h3>Các tin khác</h3><ul>{"".join(items[4:])}</ul></div>'
        '<div class="comments"><h3>Ý kiến bạn đọc</h3><p>Bạn cần đăng nhập để bình luận.</p>'
        '<textarea name="comment"></textarea><button>Gửi bình luận</button></div>'
    )
    url = spec.base + article.url
    head = (
        f'<meta name="description" content="{esc(article.lead[:160])}"/>'
        '<meta property="og:type" content="article"/>'
        f'<meta property="og:title" content="{esc(article.title)}"/>'
        f'<meta property="og:url" content="{url}"/>'
    )
    if spec.style in ("wordpress", "liferay"):
        head += (
            '<meta property="article:published_time" '
            f'content="{article.published.astimezone(_VN).isoformat()}"/>'
        )
    if spec.style == "wordpress":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": article.published.astimezone(_VN).isoformat(),
            "author": {"@type": "Person", "name": article.author},
        }
        head += f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    return page_html(
        spec,
        chrome,
        title_text=article.title,
        main=main,
        sidebar_lists=sidebar_lists,
        head=head,
        canonical=url,
        today=NEWEST + timedelta(days=24),
    )


def listing_html(
    spec: SiteSpec,
    chrome: SiteChrome,
    category: int,
    page: int,
    pages: int,
    items: list[Article],
    sidebar_lists: str,
) -> str:
    esc = html.escape
    cat_label = spec.categories[category][1]
    teasers = "".join(
        f'<div class="news-item"><a href="{a.url}"><img src="/uploads/news/thumb/'
        f'{a.number}.jpg" alt="{esc(a.title)}"/></a><h3><a href="{a.url}">{esc(a.title)}</a></h3>'
        f'<span class="date">({a.published:%d/%m/%Y})</span>'
        f"<p>{esc(a.lead[:180])}...</p></div>"
        for a in items
    )
    links = []
    window = range(max(1, page - 3), min(pages, page + 3) + 1)
    for n in window:
        if n == page:
            links.append(f'<span class="current">{n}</span>')
        else:
            links.append(f'<a href="{listing_path(spec, category, n)}">{n}</a>')
    if page < pages:
        links.append(f'<a href="{listing_path(spec, category, page + 1)}">Sau »</a>')
        links.append(f'<a href="{listing_path(spec, category, pages)}">Cuối</a>')
    pager = f'<div class="pagination">{" ".join(links)}</div>'
    main = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> » {esc(cat_label)}</div>'
        f'<h1 class="cat-title">{esc(cat_label)}</h1><div class="news-list">{teasers}</div>{pager}'
    )
    return page_html(
        spec,
        chrome,
        title_text=cat_label + (f" - Trang {page}" if page > 1 else ""),
        main=main,
        sidebar_lists=sidebar_lists,
        today=NEWEST + timedelta(days=24),
    )


def home_html(spec: SiteSpec, chrome: SiteChrome, sidebar_lists: str) -> str:
    esc = html.escape
    blocks = []
    for i, (_slug, label) in enumerate(spec.categories):
        latest = [a for a in spec.articles[:60] if a.category == i][:4]
        items = "".join(
            f'<li><a href="{a.url}">{esc(a.title)}</a> <span>({a.published:%d/%m/%Y})</span></li>'
            for a in latest
        )
        blocks.append(
            f'<div class="home-cat"><h2><a href="{listing_path(spec, i, 1)}">{esc(label)}</a></h2>'
            f"<ul>{items}</ul></div>"
        )
    top = spec.articles[0] if spec.articles else None
    hot = ""
    if top is not None:
        hot = (
            f'<div class="hot-news"><h2><a href="{top.url}">{esc(top.title)}</a></h2>'
            f"<p>{esc(top.lead)}</p></div>"
        )
    return page_html(
        spec,
        chrome,
        title_text="Trang chủ",
        main=hot + "".join(blocks),
        sidebar_lists=sidebar_lists,
        today=NEWEST + timedelta(days=24),
    )


def feed_xml(spec: SiteSpec) -> str:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{spec.base}{a.url}</link>"
        f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
        for a in spec.articles[:20]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(spec.name)}</title><link>{spec.base}/</link>{items}</channel></rss>"
    )


def sitemap_xml(spec: SiteSpec) -> str:
    urls = "".join(
        f"<url><loc>{spec.base}{a.url}</loc><lastmod>{a.published:%Y-%m-%d}</lastmod></url>"
        for a in spec.articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def site_resources(spec: SiteSpec, seed: int) -> Iterator[tuple[str, bytes, str]]:
    """(path, body, content type) of every resource of one site."""
    rng = random.Random(seed * 1000 + spec.index)
    chrome = site_chrome(spec, rng)
    latest = _teaser_list(spec, spec.articles[:10], "Tin mới", "latest")
    popular_pool = spec.articles[: min(len(spec.articles), 200)]

    def sidebar() -> str:
        picks = rng.sample(popular_pool, min(10, len(popular_pool)))
        return latest + _teaser_list(spec, picks, "Xem nhiều", "most-read")

    yield "/", home_html(spec, chrome, sidebar()).encode(), HTML_TYPE
    robots = "User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem.html\n"
    if spec.style == "wordpress":
        robots += f"Sitemap: {spec.base}/sitemap.xml\n"
        yield "/sitemap.xml", sitemap_xml(spec).encode(), "application/xml; charset=utf-8"
    if spec.style == "nukeviet":
        yield "/news/rss/", feed_xml(spec).encode(), "application/rss+xml; charset=utf-8"
    yield "/robots.txt", robots.encode(), "text/plain; charset=utf-8"
    for category in range(len(spec.categories)):
        items = [a for a in spec.articles if a.category == category]
        pages = max(1, -(-len(items) // TEASERS_PER_PAGE))
        for page in range(1, pages + 1):
            chunk = items[(page - 1) * TEASERS_PER_PAGE : page * TEASERS_PER_PAGE]
            body = listing_html(spec, chrome, category, page, pages, chunk, sidebar())
            yield listing_path(spec, category, page), body.encode(), HTML_TYPE
    for label in (*SUBMENU, *TOPICS, *STATIC_PAGES):
        yield static_path(label), static_html(spec, chrome, label, sidebar()).encode(), HTML_TYPE
    by_category: dict[int, list[Article]] = {}
    for a in spec.articles:
        by_category.setdefault(a.category, []).append(a)
    for article in spec.articles:
        siblings = by_category[article.category]
        at = article.number // CATEGORIES_PER_SITE
        related = siblings[at + 1 : at + 11]
        text = article_html(spec, chrome, article, sidebar(), related, rng)
        yield article.url, text.encode(), HTML_TYPE


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What generate() wrote."""

    root: Path
    articles: int
    pages: int
    bytes: int
    hosts: tuple[str, ...]


def generate(
    out: str | Path,
    *,
    articles: int = 20000,
    sites: int = 20,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> CorpusInfo:
    """Write the corpus into `out` (created if needed); see the module docstring for the layout."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    specs = plan_sites(articles, sites, seed)
    manifest: dict[str, object] = {
        "format": FORMAT,
        "articles": articles,
        "sites": sites,
        "seed": seed,
    }
    hosts: dict[str, object] = {}
    pages = total = 0
    for spec in specs:
        index: dict[str, list[object]] = {}
        offset = 0
        with (root / f"{spec.host}.bin").open("wb") as fh:
            for path, body, ctype in site_resources(spec, seed):
                index[path] = [offset, len(body), ctype]
                fh.write(body)
                offset += len(body)
                pages += ctype == HTML_TYPE
        total += offset
        hosts[spec.host] = {
            "file": f"{spec.host}.bin",
            "server": SERVERS[spec.style],
            "iis": spec.style == "aspnet",
            "index": index,
        }
        if progress is not None:
            progress(f"{spec.host}: {len(spec.articles)} articles, {offset / 1e6:.1f} MB")
    manifest["hosts"] = hosts
    manifest["pages"] = pages
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with (root / "sites.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "level", "province", "url", "status", "notes"])
        for spec in specs:
            level = "province" if spec.host.startswith(("tinhuy", "thanhuy")) else "district"
            writer.writerow(
                [
                    spec.site_id,
                    spec.name,
                    level,
                    spec.province,
                    spec.base + "/",
                    "active",
                    f"benchmark site ({spec.style} style); fictional",
                ]
            )
    return CorpusInfo(root, articles, pages, total, tuple(s.host for s in specs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="output directory")
    parser.add_argument("--articles", type=int, default=20000, help="article pages in all")
    parser.add_argument("--sites", type=int, default=20, help="number of sites")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    info = generate(
        args.out, articles=args.articles, sites=args.sites, seed=args.seed, progress=print
    )
    print(
        f"{info.pages} HTML pages ({info.articles} articles), {info.bytes / 1e6:.0f} MB "
        f"in {time.perf_counter() - started:.1f} s -> {info.root}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
