"""Writes the sample sites (static pages, routes.json, truth.json, sites.csv) from prose.py.

    python3 data/sample_sites/_source/build.py      # then: pytest tests/test_demo.py

Standard library only. The pages it writes are committed; edit prose.py or the templates
here rather than the pages, so that truth.json stays in step with them.
"""

from __future__ import annotations

import csv
import html
import re
import io
import json
import shutil
import sys
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

sys.dont_write_bytecode = True  # leave no __pycache__ among the sample sites
import prose  # noqa: E402  (the article texts, beside this file)

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
VN = timezone(timedelta(hours=7))
TODAY = "2026-11-23"
DEFAULT_LM = "2026-11-22T06:00:00+07:00"
WEEKDAY = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def e(s: str) -> str:
    return escape(s, quote=True)


def parse(ts: str | None) -> datetime | None:
    if ts is None:
        return None
    return datetime.strptime(ts, "%Y-%m-%d %H:%M").replace(tzinfo=VN)


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def dmy(dt: datetime) -> str:
    return dt.strftime("%d/%m/%Y")


@dataclass
class Resource:
    url: str  # path?query as linked
    file: str  # relative to the host dir
    body: bytes
    type: str | None = None
    lm: str | None = None
    aliases: list[str] = field(default_factory=list)  # other request keys served by this file
    kind: str | None = None


@dataclass
class Host:
    host: str
    site_id: str
    name: str
    level: str
    server: str
    headers: dict[str, str] = field(default_factory=dict)
    case_insensitive: bool = False
    slash_redirect: bool = False
    ignored_params: list[str] = field(default_factory=list)
    session: dict[str, str] | None = None
    calendar: dict[str, str] | None = None
    resources: list[Resource] = field(default_factory=list)
    redirects: dict[str, dict[str, object]] = field(default_factory=dict)
    not_found: str = "404.html"

    def add(self, url: str, file: str, text: str | bytes, type: str | None = None,
            lm: str | None = None, aliases: list[str] | None = None, kind: str | None = None) -> None:
        body = text.encode("utf-8") if isinstance(text, str) else text
        if kind is None:
            kind = infer_kind(url, file)
        self.resources.append(Resource(url, file, body, type, lm, aliases or [], kind))


def infer_kind(url: str, file: str) -> str | None:
    if not url:
        return None
    if url == "/robots.txt":
        return "robots"
    if url in ("/rss/", "/feed/"):
        return "feed"
    if url == "/sitemap.xml":
        return "sitemap"
    if "/print/" in url:
        return "print"
    if url in ("/", "/Default.aspx", "/web/tuyengiao"):
        return "home"
    if "/tag/" in url or "ViewTag" in url or "tim-kiem" in url:
        return "tag"
    if any(s in url for s in ("gioi-thieu", "lien-he", "so-do-cong", "/contact/", "/Pages/")):
        return "static"
    if "ViewList" in url or "/category/" in url or url == "/tu-lieu/" or re.search(r"/tin-tuc/[a-z-]+/(page-\d+)?$", url) or re.search(r"^/web/tuyengiao/[a-z-]+(\?.*_cur=\d+)?$", url):
        return "listing"
    return "article"


ARTS = prose.ARTICLES
BY_KEY = {a["key"]: a for a in ARTS}
for a in ARTS:
    a["dt"] = parse(a["published"])
    a.setdefault("encoding", "utf-8")
    a.setdefault("unicode_form", "NFC")
    a.setdefault("copy_of", None)


def site_articles(site: str) -> list[dict]:
    items = [a for a in ARTS if a["site"] == site]
    # newest first; undated ones last, as these CMSs sort by their (missing) date
    return sorted(items, key=lambda a: (a["dt"] is None, -(a["dt"].timestamp() if a["dt"] else 0)))


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def to_cp1258(text: str) -> bytes:
    """Encode NFC Vietnamese as windows-1258: base letters plus combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in d[1:] if m in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(m for m in d if m not in tones))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def words(text: str, start: int, stop: int) -> str:
    ws = text.split()
    return " ".join(ws[start:stop]).strip(" ,.;:")


def must_contain(a: dict) -> list[str]:
    body = a["body"]
    mid = body[len(body) // 2]
    last = body[-1]
    n = len(last.split())
    return [words(a["lead"], 2, 10), words(mid, 3, 11), words(last, n - 9, n - 1)]


# =====================================================================================
# 1. huyenuy-mau.vn: NukeViet 4 district committee
# =====================================================================================

NV_HOST = "huyenuy-mau.vn"
NV_BASE = f"http://{NV_HOST}"
NV_CATS = {"xay-dung-dang": "Xây dựng Đảng", "tuyen-giao-dan-van": "Tuyên giáo - Dân vận"}
NV_TAGS = {
    "cong-tac-tuyen-giao": "công tác tuyên giáo",
    "dai-hoi-dang-bo": "đại hội đảng bộ",
    "dan-van-kheo": "dân vận khéo",
    "chuyen-doi-so": "chuyển đổi số",
}
NV_DEAD = "/tin-tuc/xay-dung-dang/hoi-nghi-bao-cao-vien-thang-6-2024-207.html"
NV_BOILER = [
    "Bạn đã không sử dụng Site",
    "Bấm vào đây để duy trì trạng thái đăng nhập",
    "Thứ Hai, ngày 23 tháng 11 năm 2026",
    "Số lần xem",
    "Thống kê truy cập",
    "Đang online: 5",
    "Ý kiến bạn đọc",
    "VĂN BẢN MỚI",
    "Tin khác",
    "Bản quyền thuộc về Huyện ủy Sơn Mẫu",
]


def nv_url(a: dict) -> str:
    return f"/tin-tuc/{a['cat']}/{a['slug']}-{a['id']}.html"


def nv_print(a: dict) -> str:
    return f"/tin-tuc/print/{a['slug']}-{a['id']}.html"


def nv_dateline(dt: datetime) -> str:
    return f"{WEEKDAY[dt.weekday()]} - {dt.strftime('%d/%m/%Y %H:%M')}"


def nv_page(title: str, main: str, *, desc: str = "", og: str = "") -> str:
    docs = "".join(
        f'<li><span class="doc-title">{e(t)}</span> <em>({d})</em></li>'
        for t, d in [
            ("Nghị quyết số 15-NQ/HU về phát triển kinh tế tập thể giai đoạn 2024 - 2030", "12/07/2024"),
            ("Kế hoạch số 88-KH/HU tổ chức đại hội chi bộ trực thuộc đảng ủy cơ sở", "28/06/2024"),
            ("Thông báo kết luận của Ban Thường vụ Huyện ủy tại hội nghị giao ban quý II", "03/06/2024"),
        ]
    )
    menu = "".join(
        f'<li><a href="{href}" title="{e(label)}">{e(label)}</a></li>'
        for href, label in [
            ("/", "Trang chủ"),
            ("/page/gioi-thieu.html", "Giới thiệu"),
            ("/tin-tuc/xay-dung-dang/", "Xây dựng Đảng"),
            ("/tin-tuc/tuyen-giao-dan-van/", "Tuyên giáo - Dân vận"),
            ("/contact/", "Liên hệ"),
            ("/page/so-do-cong.html", "Sơ đồ cổng"),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{e(title)}</title>
<meta name="description" content="{e(desc)}">
<meta name="author" content="Huyện ủy Sơn Mẫu">
<meta name="generator" content="NukeViet v4.5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{og}<link rel="shortcut icon" href="/favicon.ico">
<link rel="alternate" href="/rss/" title="Tin Tức" type="application/rss+xml">
<link rel="stylesheet" href="/themes/default/css/style.css">
<script src="/assets/js/jquery/jquery.min.js"></script>
</head>
<body>
<div id="timeoutsess" class="chromeframe">Bạn đã không sử dụng Site, <a onclick="timeoutsesscancel();" href="#">Bấm vào đây để duy trì trạng thái đăng nhập</a>. Thời gian chờ: <span id="secField"> 60 </span> giây</div>
<div id="outs_modal" class="modal fade"></div>
<div class="body-bg"><div class="wraper">
<header>
<div class="container"><div id="header" class="row">
<div class="logo col-xs-24 col-sm-24 col-md-8"><a title="Huyện ủy Sơn Mẫu" href="/"><img src="/uploads/logo-huyenuy.png" alt="Huyện ủy Sơn Mẫu"></a><span class="site_name">ĐẢNG BỘ HUYỆN SƠN MẪU</span><span class="site_description">Cổng thông tin điện tử Huyện ủy Sơn Mẫu</span></div>
<div class="col-xs-24 col-sm-24 col-md-16"><div class="current-time"><span class="fa fa-calendar"></span> Thứ Hai, ngày 23 tháng 11 năm 2026</div></div>
</div></div>
<nav class="second-nav" id="menusite"><div class="container"><ul class="menu nav navbar-nav">{menu}</ul></div></nav>
</header>
<section><div class="container" id="body">
<div class="row">
<div class="col-sm-16 col-md-18">
{main}
</div>
<div class="col-sm-8 col-md-6">
<div class="panel panel-primary"><div class="panel-heading">VĂN BẢN MỚI</div><div class="panel-body"><ul class="list-none">{docs}</ul></div></div>
<div class="panel panel-primary"><div class="panel-heading">Thống kê truy cập</div><div class="panel-body"><ul class="counter list-none"><li><span><em class="fa fa-bolt fa-lg fa-horizon"></em>Đang online: 5</span></li><li><span><em class="fa fa-filter fa-lg fa-horizon"></em>Hôm nay: 187</span></li><li><span><em class="fa fa-calendar-o fa-lg fa-horizon"></em>Tháng hiện tại: 4.312</span></li><li><span><em class="fa fa-bars fa-lg fa-horizon"></em>Tổng lượt truy cập: 1.204.775</span></li></ul></div></div>
</div>
</div>
</div></section>
<footer id="footer"><div class="container"><div class="copyright">Bản quyền thuộc về Huyện ủy Sơn Mẫu<br>Địa chỉ: số 12 đường Trần Phú, thị trấn Sơn Mẫu, huyện Sơn Mẫu, tỉnh Bình Mẫu. Điện thoại: 0235 3861 234<br>Chịu trách nhiệm chính: Trưởng Ban Tuyên giáo Huyện ủy</div></div></footer>
</div></div>
<script src="/themes/default/js/main.js"></script>
</body>
</html>
"""


def nv_teaser(a: dict) -> str:
    date = ""
    if a["dt"]:
        date = f'<li><em class="fa fa-clock-o">&nbsp;</em> {nv_dateline(a["dt"])}</li>'
    return f"""<div class="news_column panel panel-default"><div class="panel-body">
<a href="{nv_url(a)}" title="{e(a['title'])}"><img alt="{e(a['title'])}" src="/assets/news/{a['image']}" width="183" class="img-thumbnail pull-left imghome"></a>
<h3><a href="{nv_url(a)}" title="{e(a['title'])}">{e(a['title'])}</a></h3>
<div class="text-muted"><ul class="list-unstyled list-inline">{date}<li><em class="fa fa-eye">&nbsp;</em> Đã xem: {a['views']}</li></ul></div>
<p class="hometext">{e(a['lead'])}</p>
</div></div>"""


def nv_pager(base: str, page: int, pages: int) -> str:
    items = []
    for n in range(1, pages + 1):
        href = base if n == 1 else f"{base}page-{n}"
        items.append(f'<li class="active"><a href="#">{n}</a></li>' if n == page else f'<li><a href="{href}">{n}</a></li>')
    if page < pages:
        items.append(f'<li><a href="{base}page-{page + 1}" title="Trang sau">»</a></li>')
    return f'<div class="text-center"><ul class="pagination">{"".join(items)}</ul></div>'


def nv_article(a: dict, site_arts: list[dict]) -> str:
    url = NV_BASE + nv_url(a)
    dateline = ""
    if a["dt"]:
        # the view and comment counters are glued to the dateline, as NukeViet themes print them
        dateline = f'<span class="h5">{nv_dateline(a["dt"])}</span><span class="hits" title="Số lần xem"><em class="fa fa-eye"></em>{a["views"]}</span><span class="comments"><em class="fa fa-comment-o"></em>0</span>'
    body = "\n".join(f'<p style="text-align: justify;">{e(p)}</p>' for p in a["body"])
    byline = f'\n<p style="text-align: right;"><strong>Tin, ảnh: {e(a["author"])}</strong></p>' if a["author"] else ""
    others = [o for o in site_arts if o is not a][:4]
    rel = "".join(
        f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{nv_url(o)}" title="{e(o["title"])}">{e(o["title"])}</a>'
        + (f' <em>({dmy(o["dt"])})</em>' if o["dt"] else "") + "</li>"
        for o in others
    )
    if a["key"] == "H2":
        rel += f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{NV_DEAD}" title="Hội nghị báo cáo viên tháng 6/2024">Hội nghị báo cáo viên tháng 6/2024</a> <em>(28/06/2024)</em></li>'
    tags = "".join(f'<a href="/tin-tuc/tag/{t}"><em>{e(NV_TAGS[t])}</em></a> ' for t in a["tags"])
    tagline = f'<div class="news_column panel panel-default"><div class="panel-body"><div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Từ khóa: </strong>{tags}</div></div></div>' if tags else ""
    og = f'<meta property="og:title" content="{e(a["title"])}">\n<meta property="og:type" content="article">\n<meta property="og:url" content="{url}">\n<meta property="og:image" content="{NV_BASE}/uploads/news/{a["image"]}">\n'
    main = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
<div class="panel-body">
<h1 class="title margin-bottom-lg" itemprop="headline">{e(a['title'])}</h1>
<div class="row margin-bottom-lg"><div class="col-md-12">{dateline}</div>
<div class="col-md-12"><ul class="list-inline text-right"><li><a class="dimgray" rel="nofollow" title="In ra" href="{nv_print(a)}" target="_blank"><em class="fa fa-print fa-lg">&nbsp;</em></a></li><li><a class="dimgray" title="Lưu bài viết này" href="#"><em class="fa fa-save fa-lg">&nbsp;</em></a></li></ul></div></div>
<div class="clearfix"><div class="hometext m-bottom" itemprop="description"><strong>{e(a['lead'])}</strong></div></div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
<figure class="article center"><img alt="{e(a['image'])}" src="/uploads/news/{a['image']}" width="800" class="img-responsive"><figcaption>{e(a['caption'])}</figcaption></figure>
{body}{byline}
</div>
<div class="h5 text-right">Số lần xem: {a['views']}</div>
</div></div>
{tagline}
<div class="news_column panel panel-default"><div class="panel-body">
<div id="idcomment" class="nv-fullbg"><h3>Ý kiến bạn đọc</h3>
<form method="post" action="/comment/post/" class="form-horizontal">
<div class="form-group"><input type="text" name="name" class="form-control" placeholder="Họ và tên"></div>
<div class="form-group"><input type="email" name="email" class="form-control" placeholder="Email"></div>
<div class="form-group"><textarea name="content" class="form-control" placeholder="Nội dung bình luận"></textarea></div>
<div class="form-group"><input type="text" name="captcha" placeholder="Mã xác nhận"> <img src="/index.php?scaptcha=captcha" alt="Mã xác nhận"></div>
<button type="submit" class="btn btn-primary">Gửi bình luận</button>
</form></div></div></div>
<div class="news_column panel panel-default"><div class="panel-body other-news"><p class="h3"><strong>Tin khác</strong></p><ul class="related list-none">{rel}</ul></div></div>"""
    return nv_page(f"{a['title']} - Huyện ủy Sơn Mẫu", main, desc=a["lead"][:150], og=og)


def nv_print_page(a: dict) -> str:
    dateline = f'<p class="date">{nv_dateline(a["dt"])}</p>' if a["dt"] else ""
    body = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    byline = f'<p style="text-align: right;"><strong>Tin, ảnh: {e(a["author"])}</strong></p>' if a["author"] else ""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{e(a['title'])}</title><meta name="robots" content="noindex, nofollow">
<link rel="stylesheet" href="/themes/default/css/print.css"></head>
<body onload="window.print();"><div id="print">
<div id="hd_print"><h2>Huyện ủy Sơn Mẫu</h2><p><a href="{NV_BASE}/">{NV_BASE}</a></p></div>
<div id="content"><h1>{e(a['title'])}</h1>{dateline}
<div class="hometext"><strong>{e(a['lead'])}</strong></div>
<div class="bodytext">{body}{byline}</div>
<div id="footer"><p>Nguồn tin: Huyện ủy Sơn Mẫu</p><p>URL của bài viết này: <a href="{NV_BASE}{nv_url(a)}">{NV_BASE}{nv_url(a)}</a></p><p>© Huyện ủy Sơn Mẫu</p></div>
</div></div></body></html>
"""


def build_nukeviet() -> Host:
    h = Host(NV_HOST, "huyenuymau", "Huyện ủy Sơn Mẫu (trang mẫu)", "district", "Apache/2.4.41 (Ubuntu)",
             headers={"X-Powered-By": "PHP/7.4.33"})
    arts = site_articles("huyenuymau")
    home_items = "\n".join(nv_teaser(a) for a in arts if a["dt"])
    h.add("/", "index.html", nv_page("Huyện ủy Sơn Mẫu - Cổng thông tin điện tử", f'<h2 class="h3">Tin mới</h2>\n{home_items}', desc="Cổng thông tin điện tử Huyện ủy Sơn Mẫu"))
    for cat, label in NV_CATS.items():
        items = [a for a in arts if a["cat"] == cat]
        pages = chunks(items, 2)
        base = f"/tin-tuc/{cat}/"
        for n, group in enumerate(pages, 1):
            main = f'<div class="breadcrumbs"><a href="/">Trang chủ</a> » <a href="{base}">{e(label)}</a></div><h1 class="h3">{e(label)}</h1>\n' + "\n".join(nv_teaser(a) for a in group) + nv_pager(base, n, len(pages))
            url = base if n == 1 else f"{base}page-{n}"
            h.add(url, f"tin-tuc/{cat}/{'index' if n == 1 else f'page-{n}'}.html", nv_page(f"{label}{'' if n == 1 else f' - Trang {n}'} - Huyện ủy Sơn Mẫu", main))
    for a in arts:
        lm = iso(a["dt"])
        h.add(nv_url(a), f"tin-tuc/{a['cat']}/{a['slug']}-{a['id']}.html", nv_article(a, arts), lm=lm)
        h.add(nv_print(a), f"tin-tuc/print/{a['slug']}-{a['id']}.html", nv_print_page(a), lm=lm)
    for tag, label in NV_TAGS.items():
        items = [a for a in arts if tag in a["tags"]]
        main = f'<h1 class="h3">Từ khóa: {e(label)}</h1>\n' + "\n".join(nv_teaser(a) for a in items)
        h.add(f"/tin-tuc/tag/{tag}", f"tin-tuc/tag/{tag}.html", nv_page(f"{label} - Từ khóa - Huyện ủy Sơn Mẫu", main))
    h.add("/page/gioi-thieu.html", "page/gioi-thieu.html", nv_page("Giới thiệu - Huyện ủy Sơn Mẫu", """<div class="page panel panel-default"><div class="panel-body"><h1 class="title">Giới thiệu</h1>
<p>Đảng bộ huyện Sơn Mẫu hiện có 42 tổ chức cơ sở đảng với trên 3.900 đảng viên, sinh hoạt tại 9 xã, 1 thị trấn và các cơ quan, đơn vị trên địa bàn huyện.</p>
<p>Cổng thông tin điện tử Huyện ủy là kênh thông tin chính thức của Ban Chấp hành Đảng bộ huyện, đăng tải các hoạt động của cấp ủy và hệ thống chính trị huyện.</p></div></div>"""))
    h.add("/contact/", "contact/index.html", nv_page("Liên hệ - Huyện ủy Sơn Mẫu", """<div class="panel panel-default"><div class="panel-body"><h1 class="title">Liên hệ</h1>
<p>Văn phòng Huyện ủy Sơn Mẫu, số 12 đường Trần Phú, thị trấn Sơn Mẫu. Điện thoại: 0235 3861 234. Thư điện tử: vanphong@huyenuy-mau.vn</p>
<form method="post" action="/contact/"><input name="fname" placeholder="Họ tên"><input name="femail" placeholder="Email"><textarea name="fcon" placeholder="Nội dung"></textarea><button type="submit">Gửi</button></form></div></div>"""))
    sitemap_links = "".join(f'<li><a href="{u}">{e(t)}</a></li>' for u, t in [("/", "Trang chủ"), ("/page/gioi-thieu.html", "Giới thiệu"), ("/tin-tuc/xay-dung-dang/", "Xây dựng Đảng"), ("/tin-tuc/tuyen-giao-dan-van/", "Tuyên giáo - Dân vận"), ("/contact/", "Liên hệ"), ("/rss/", "RSS")])
    h.add("/page/so-do-cong.html", "page/so-do-cong.html", nv_page("Sơ đồ cổng - Huyện ủy Sơn Mẫu", f'<div class="panel panel-default"><div class="panel-body"><h1 class="title">Sơ đồ cổng</h1><ul>{sitemap_links}</ul></div></div>'))
    items = "".join(
        f"""
<item>
<title>{e(a['title'])}</title>
<link>{NV_BASE}{nv_url(a)}</link>
<guid isPermaLink="false">news_{a['id']}</guid>
<description><![CDATA[<img src="{NV_BASE}/assets/news/{a['image']}" width="100" align="left" border="0">{a['lead']}]]></description>
<pubDate>{format_datetime(a['dt'])}</pubDate>
</item>"""
        for a in arts if a["dt"]
    )
    h.add("/rss/", "rss/index.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Huyện ủy Sơn Mẫu - Tin Tức</title>
<link>{NV_BASE}/</link>
<atom:link href="{NV_BASE}/rss/" rel="self" type="application/rss+xml"/>
<description>Tin tức hoạt động của Đảng bộ huyện Sơn Mẫu</description>
<language>vi</language>
<copyright>Huyện ủy Sơn Mẫu</copyright>
<generator>NukeViet v4.5</generator>{items}
</channel>
</rss>
""", type="application/rss+xml; charset=utf-8")
    h.add("/robots.txt", "robots.txt", "User-agent: *\nDisallow: /admin/\nDisallow: /includes/\nDisallow: /install/\nDisallow: /users/\nDisallow: /tin-tuc/print/\n", type="text/plain; charset=utf-8")
    h.add("", "404.html", nv_page("Lỗi 404 - Huyện ủy Sơn Mẫu", '<div class="alert alert-danger"><h1>Lỗi 404</h1><p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p><p><a href="/">Về trang chủ</a></p></div>'))
    return h


# =====================================================================================
# 2. khoi-mau.org.vn: WordPress bloc committee
# =====================================================================================

WP_HOST = "khoi-mau.org.vn"
WP_BASE = f"http://{WP_HOST}"
WP_CATS = {"tin-hoat-dong": "Tin hoạt động", "xay-dung-dang": "Xây dựng Đảng"}
WP_TAGS = {
    "hoc-tap-nghi-quyet": "Học tập nghị quyết",
    "hoc-tap-va-lam-theo-bac": "Học tập và làm theo Bác",
    "bao-cao-vien": "Báo cáo viên",
    "phat-trien-dang-vien": "Phát triển đảng viên",
    "kiem-tra-giam-sat": "Kiểm tra, giám sát",
    "thi-dua": "Thi đua",
}
WP_DEAD = "/2024/02/01/gap-mat-ky-niem-94-nam-ngay-thanh-lap-dang/"
WP_BOILER = [
    "Để lại một bình luận",
    "Email của bạn sẽ không được hiển thị công khai",
    "Bài viết mới",
    "Điều hướng bài viết",
    "Giấy phép số 08/GP-TTĐT",
]


def ascii_slug(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "-".join("".join(c for c in folded if not unicodedata.combining(c)).lower().split())


def wp_url(a: dict) -> str:
    if a["dt"] is None:
        return f"/tu-lieu/{a['slug']}/"
    return f"/{a['dt'].strftime('%Y/%m/%d')}/{a['slug']}/"


def wp_page(title: str, main: str, *, head: str = "", body_class: str = "home blog") -> str:
    menu = "".join(
        f'<li class="menu-item"><a href="{href}">{e(label)}</a></li>'
        for href, label in [
            ("/", "Trang chủ"),
            ("/gioi-thieu/", "Giới thiệu"),
            ("/category/tin-hoat-dong/", "Tin hoạt động"),
            ("/category/xay-dung-dang/", "Xây dựng Đảng"),
            ("/tu-lieu/", "Tư liệu"),
            ("/lien-he/", "Liên hệ"),
            ("/so-do-cong/", "Sơ đồ cổng"),
        ]
    )
    recent = "".join(f'<li><a href="{wp_url(a)}">{e(a["title"])}</a></li>' for a in site_articles("khoimau") if a["dt"])
    recent += f'<li><a href="{WP_DEAD}">Gặp mặt kỷ niệm 94 năm Ngày thành lập Đảng</a></li>'
    cats = "".join(f'<li class="cat-item"><a href="/category/{c}/">{e(l)}</a></li>' for c, l in WP_CATS.items())
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name='robots' content='index, follow, max-image-preview:large' />
<link rel="alternate" type="application/rss+xml" title="Đảng ủy Khối các cơ quan tỉnh Bình Mẫu &raquo; Dòng thông tin" href="{WP_BASE}/feed/" />
{head}<link rel='stylesheet' id='wp-block-library-css' href='{WP_BASE}/wp-includes/css/dist/block-library/style.min.css?ver=6.4.3' media='all' />
<link rel="https://api.w.org/" href="{WP_BASE}/wp-json/" />
<meta name="generator" content="WordPress 6.4.3" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Chuyển đến nội dung</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{WP_BASE}/" rel="home">Đảng ủy Khối các cơ quan tỉnh Bình Mẫu</a></p><p class="site-description">Trang thông tin điện tử</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button><ul id="primary-menu" class="menu">{menu}</ul></nav>
</header>
<div id="content" class="site-content">
<main id="primary" class="site-main">
{main}
</main>
<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="{WP_BASE}/"><label><span class="screen-reader-text">Tìm kiếm cho:</span><input type="search" class="search-field" placeholder="Tìm kiếm &hellip;" value="" name="s" /></label><input type="submit" class="search-submit" value="Tìm kiếm" /></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Bài viết mới</h2><ul>{recent}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Danh mục</h2><ul>{cats}</ul></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">Trang thông tin điện tử Đảng ủy Khối các cơ quan tỉnh Bình Mẫu - Giấy phép số 08/GP-TTĐT<br>Địa chỉ: 05 đường Lê Lợi, thành phố Bình Mẫu. Điện thoại: 0235 3822 456</div></footer>
</div>
<script src='{WP_BASE}/wp-includes/js/comment-reply.min.js?ver=6.4.3' id='comment-reply-js' async data-wp-strategy='async'></script>
</body>
</html>
"""


def wp_teaser(a: dict) -> str:
    posted = ""
    if a["dt"]:
        posted = f'<div class="entry-meta"><span class="posted-on"><a href="{wp_url(a)}" rel="bookmark"><time class="entry-date published" datetime="{iso(a["dt"])}">{dmy(a["dt"])}</time></a></span></div>'
    return f"""<article id="post-{a['id']}" class="post-{a['id']} post type-post status-publish format-standard has-post-thumbnail hentry category-{a['cat']}">
<header class="entry-header"><h2 class="entry-title"><a href="{wp_url(a)}" rel="bookmark">{e(a['title'])}</a></h2>{posted}</header>
<div class="entry-summary"><p>{e(a['lead'])} [&hellip;]</p></div>
</article>"""


def wp_pager(base: str, page: int, pages: int) -> str:
    links = []
    if page > 1:
        prev = base if page == 2 else f"{base}page/{page - 1}/"
        links.append(f'<a class="prev page-numbers" href="{prev}">&laquo; Trước</a>')
    for n in range(1, pages + 1):
        href = base if n == 1 else f"{base}page/{n}/"
        links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>' if n == page else f'<a class="page-numbers" href="{href}">{n}</a>')
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{base}page/{page + 1}/">Sau &raquo;</a>')
    return f'<nav class="navigation pagination" aria-label="Phân trang bài viết"><h2 class="screen-reader-text">Phân trang bài viết</h2><div class="nav-links">{"".join(links)}</div></nav>'


def wp_article(a: dict, arts: list[dict]) -> str:
    url = WP_BASE + wp_url(a)
    head = f'<link rel="canonical" href="{url}" />\n<link rel=\'shortlink\' href=\'{WP_BASE}/?p={a["id"]}\' />\n<meta property="og:locale" content="vi_VN" />\n<meta property="og:type" content="article" />\n<meta property="og:title" content="{e(a["title"])}" />\n<meta property="og:url" content="{url}" />\n'
    meta = ""
    if a["dt"]:
        mod = parse(a["modified"])
        head += f'<meta property="article:published_time" content="{iso(a["dt"])}" />\n<meta property="article:modified_time" content="{iso(mod)}" />\n'
        meta = f'<div class="entry-meta"><span class="posted-on">Đăng ngày <a href="{wp_url(a)}" rel="bookmark"><time class="entry-date published" datetime="{iso(a["dt"])}">{dmy(a["dt"])}</time><time class="updated" datetime="{iso(mod)}">{dmy(mod)}</time></a></span>'
        meta += f'<span class="byline"> bởi <span class="author vcard"><a class="url fn n" href="/author/{ascii_slug(a["author"])}/">{e(a["author"])}</a></span></span></div>' if a["author"] else "</div>"
    if a["author"]:
        head += f'<meta name="author" content="{e(a["author"])}" />\n'
    body = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    fig = f'<figure class="wp-block-image size-large"><img decoding="async" src="{WP_BASE}/wp-content/uploads/{a["dt"].strftime("%Y/%m") if a["dt"] else "2023/01"}/{a["image"]}" alt="" class="wp-image-{a["id"] + 1}"/><figcaption class="wp-element-caption">{e(a["caption"])}</figcaption></figure>'
    tags = ", ".join(f'<a href="/tag/{t}/" rel="tag">{e(WP_TAGS[t])}</a>' for t in a["tags"])
    footer = ""
    if a["dt"]:
        footer = f'<footer class="entry-footer"><span class="cat-links">Chuyên mục: <a href="/category/{a["cat"]}/" rel="category tag">{e(WP_CATS[a["cat"]])}</a></span>' + (f'<span class="tags-links"> Thẻ: {tags}</span>' if tags else "") + "</footer>"
    nav = ""
    dated = [o for o in arts if o["dt"]]
    if a in dated:
        i = dated.index(a)
        prev = dated[i + 1] if i + 1 < len(dated) else None
        nxt = dated[i - 1] if i > 0 else None
        parts = []
        if prev:
            parts.append(f'<div class="nav-previous"><a href="{wp_url(prev)}" rel="prev"><span class="nav-subtitle">Bài trước:</span> <span class="nav-title">{e(prev["title"])}</span></a></div>')
        if nxt:
            parts.append(f'<div class="nav-next"><a href="{wp_url(nxt)}" rel="next"><span class="nav-subtitle">Bài tiếp theo:</span> <span class="nav-title">{e(nxt["title"])}</span></a></div>')
        nav = f'<nav class="navigation post-navigation" aria-label="Bài viết"><h2 class="screen-reader-text">Điều hướng bài viết</h2><div class="nav-links">{"".join(parts)}</div></nav>'
    main = f"""<article id="post-{a['id']}" class="post-{a['id']} post type-post status-publish format-standard hentry category-{a['cat']}">
<header class="entry-header"><h1 class="entry-title">{e(a['title'])}</h1>{meta}</header>
<div class="entry-content">
<p><strong>{e(a['lead'])}</strong></p>
{fig}
{body}
</div>
{footer}
</article>
{nav}
<div id="comments" class="comments-area">
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Để lại một bình luận <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Hủy</a></small></h3>
<form action="{WP_BASE}/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Email của bạn sẽ không được hiển thị công khai.</span> <span class="required-field-message">Các trường bắt buộc được đánh dấu <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Bình luận <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Tên <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" maxlength="245" autocomplete="name" required /></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> <input id="email" name="email" type="email" value="" size="30" maxlength="100" autocomplete="email" required /></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Gửi bình luận" /> <input type='hidden' name='comment_post_ID' value='{a['id']}' id='comment_post_ID' /></p>
</form></div>
</div>"""
    kind = "post" if a["dt"] else "tu_lieu"
    return wp_page(f"{e(a['title'])} &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", main, head=head, body_class=f"{kind}-template-default single single-{kind} postid-{a['id']}")


def build_wordpress() -> Host:
    h = Host(WP_HOST, "khoimau", "Đảng ủy Khối các cơ quan tỉnh Bình Mẫu (trang mẫu)", "bloc", "nginx/1.18.0",
             headers={"X-Powered-By": "PHP/8.1.27", "Link": f'<{WP_BASE}/wp-json/>; rel="https://api.w.org/"'},
             slash_redirect=True)
    arts = site_articles("khoimau")
    dated = [a for a in arts if a["dt"]]
    featured = f'<section class="featured"><h2 class="section-title">Tin nổi bật</h2><ul><li><a href="{WP_BASE}/?p={dated[1]["id"]}">{e(dated[1]["title"])}</a></li><li><a href="{WP_DEAD}">Gặp mặt kỷ niệm 94 năm Ngày thành lập Đảng</a></li></ul></section>'
    h.add("/", "index.html", wp_page("Đảng ủy Khối các cơ quan tỉnh Bình Mẫu &#8211; Trang thông tin điện tử", featured + "\n".join(wp_teaser(a) for a in dated[:4]), head=f'<link rel="canonical" href="{WP_BASE}/" />\n'))
    for cat, label in WP_CATS.items():
        items = [a for a in dated if a["cat"] == cat]
        pages = chunks(items, 2)
        base = f"/category/{cat}/"
        for n, group in enumerate(pages, 1):
            url = base if n == 1 else f"{base}page/{n}/"
            main = f'<header class="page-header"><h1 class="page-title">Chuyên mục: <span>{e(label)}</span></h1></header>\n' + "\n".join(wp_teaser(a) for a in group) + wp_pager(base, n, len(pages))
            h.add(url, f"category/{cat}/{'' if n == 1 else f'page/{n}/'}index.html", wp_page(f"{e(label)}{'' if n == 1 else f' &#8211; Trang {n}'} &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", main, body_class=f"archive category category-{cat}"))
    for a in arts:
        path = wp_url(a)
        h.add(path, path.strip("/") + "/index.html", wp_article(a, arts), lm=iso(parse(a["modified"])) if a["dt"] else None)
        h.redirects[f"/?p={a['id']}"] = {"status": 301, "location": WP_BASE + path}
    for author in sorted({a["author"] for a in dated if a["author"]}):
        items = [a for a in dated if a["author"] == author]
        main = f'<header class="page-header"><h1 class="page-title">Tác giả: <span class="vcard">{e(author)}</span></h1></header>\n' + "\n".join(wp_teaser(a) for a in items)
        h.add(f"/author/{ascii_slug(author)}/", f"author/{ascii_slug(author)}/index.html", wp_page(f"{e(author)} &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", main, body_class="archive author"), kind="author")
    cpt = [a for a in arts if a["dt"] is None]
    h.add("/tu-lieu/", "tu-lieu/index.html", wp_page("Tư liệu &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", '<header class="page-header"><h1 class="page-title">Tư liệu</h1></header>\n' + "\n".join(wp_teaser(a) for a in cpt), body_class="archive post-type-archive post-type-archive-tu_lieu"))
    for tag, label in WP_TAGS.items():
        items = [a for a in dated if tag in a["tags"]]
        main = f'<header class="page-header"><h1 class="page-title">Thẻ: <span>{e(label)}</span></h1></header>\n' + "\n".join(wp_teaser(a) for a in items)
        h.add(f"/tag/{tag}/", f"tag/{tag}/index.html", wp_page(f"{e(label)} &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", main, body_class=f"archive tag tag-{tag}"))
    for slug, title, text in [
        ("gioi-thieu", "Giới thiệu", "<p>Đảng bộ Khối các cơ quan tỉnh Bình Mẫu gồm 58 tổ chức cơ sở đảng trong các sở, ban, ngành, đoàn thể cấp tỉnh.</p><p>Trang thông tin điện tử đăng tải tin tức hoạt động của Đảng ủy Khối và các tổ chức cơ sở đảng trực thuộc.</p>"),
        ("lien-he", "Liên hệ", "<p>Văn phòng Đảng ủy Khối các cơ quan tỉnh Bình Mẫu, 05 đường Lê Lợi, thành phố Bình Mẫu. Điện thoại: 0235 3822 456. Thư điện tử: dangkhoi@khoi-mau.org.vn</p>"),
        ("so-do-cong", "Sơ đồ cổng", '<ul><li><a href="/">Trang chủ</a></li><li><a href="/category/tin-hoat-dong/">Tin hoạt động</a></li><li><a href="/category/xay-dung-dang/">Xây dựng Đảng</a></li><li><a href="/tu-lieu/">Tư liệu</a></li><li><a href="/feed/">RSS</a></li></ul>'),
    ]:
        main = f'<article class="page type-page status-publish hentry"><header class="entry-header"><h1 class="entry-title">{title}</h1></header><div class="entry-content">{text}</div></article>'
        h.add(f"/{slug}/", f"{slug}/index.html", wp_page(f"{title} &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", main, head=f'<link rel="canonical" href="{WP_BASE}/{slug}/" />\n', body_class="page-template-default page"))
    utc = timezone.utc
    items = "".join(
        f"""
		<item>
		<title>{e(a['title'])}</title>
		<link>{WP_BASE}{wp_url(a)}</link>
		<comments>{WP_BASE}{wp_url(a)}#respond</comments>
		<dc:creator><![CDATA[{a['author']}]]></dc:creator>
		<pubDate>{a['dt'].astimezone(utc).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>
		<category><![CDATA[{WP_CATS[a['cat']]}]]></category>
		<guid isPermaLink="false">{WP_BASE}/?p={a['id']}</guid>
		<description><![CDATA[{a['lead']} [&#8230;]]]></description>
		</item>"""
        for a in dated
    )
    h.add("/feed/", "feed/index.xml", f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>Đảng ủy Khối các cơ quan tỉnh Bình Mẫu</title>
	<atom:link href="{WP_BASE}/feed/" rel="self" type="application/rss+xml" />
	<link>{WP_BASE}</link>
	<description>Trang thông tin điện tử</description>
	<lastBuildDate>{dated[0]['dt'].astimezone(utc).strftime('%a, %d %b %Y %H:%M:%S +0000')}</lastBuildDate>
	<language>vi</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.4.3</generator>{items}
	</channel>
</rss>
""", type="application/rss+xml; charset=UTF-8")
    h.add("/robots.txt", "robots.txt", "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n", type="text/plain; charset=utf-8")
    h.add("", "404.html", wp_page("Không tìm thấy trang &#8211; Đảng ủy Khối các cơ quan tỉnh Bình Mẫu", '<section class="error-404 not-found"><header class="page-header"><h1 class="page-title">Rất tiếc! Không tìm thấy trang này.</h1></header><div class="page-content"><p>Có vẻ như không có gì ở vị trí này. Hãy thử tìm kiếm?</p></div></section>', body_class="error404"))
    return h


# =====================================================================================
# 3. tinhuy-mau.vn: bespoke ASP.NET portal on IIS
# =====================================================================================

AS_HOST = "tinhuy-mau.vn"
AS_BASE = f"http://{AS_HOST}"
AS_SESSION = "(S(k3v1x0yq2m4nzsb5ht0rjw55))"
AS_CATS = {"2542": ("379", "Tin hoạt động"), "2543": ("380", "Xây dựng Đảng")}
AS_TAGS = {
    "dai-hoi-dang-bo": "Đại hội đảng bộ",
    "to-chuc-xay-dung-dang": "Tổ chức xây dựng Đảng",
    "hoc-tap-va-lam-theo-bac": "Học tập và làm theo Bác",
    "kiem-tra-giam-sat": "Kiểm tra, giám sát",
}
AS_DEAD = "/Article/ViewDetail.aspx?mid=2543&aid=1009"
AS_BOILER = [
    "Các tin đã đưa",
    "Bản in",
    "Gửi email",
    "Về đầu trang",
    "Lượt truy cập",
    "Cơ quan chủ quản",
    "Liên kết website",
]


def as_url(a: dict) -> str:
    return f"/Article/ViewDetail.aspx?mid={a['cat']}&aid={a['id']}"


def as_list(cat: str, n: int | None) -> str:
    pageid = AS_CATS[cat][0]
    return f"/Article/ViewList.aspx?mid={cat}&pageid={pageid}" + (f"&pagenumber={n}" if n else "")


def as_page(title: str, main: str, action: str) -> str:
    menu = "".join(
        f'<li><a href="{e(href)}">{e(label)}</a></li>'
        for href, label in [
            ("/Default.aspx", "Trang chủ"),
            ("/Pages/GioiThieu.aspx", "Giới thiệu"),
            (as_list("2542", None), "Tin hoạt động"),
            (as_list("2543", None), "Xây dựng Đảng"),
            ("/Pages/LienHe.aspx", "Liên hệ"),
            ("/Pages/SoDoCong.aspx", "Sơ đồ cổng"),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head id="Head1"><meta charset="utf-8" /><title>
	{e(title)}
</title><meta name="keywords" content="Tỉnh ủy Bình Mẫu, Đảng bộ tỉnh Bình Mẫu" /><link href="/App_Themes/TinhUy/css/style.css" rel="stylesheet" type="text/css" /></head>
<body>
<form method="post" action="{e(action)}" id="form1">
<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKLTcyMTQ0NjU3Mg9kFgJmD2QWAgIDD2QWBAIBD2QWAgIBDxYCHgRUZXh0BSZD4bqtcCBuaOG6rXQgbMO6YyAxMDozMCwgMTkvMDcvMjAyNGRkZA==" /></div>
<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" /><input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAOk1Nm4xAqpp3sM9Fq3M1h7" /></div>
<a id="top"></a>
<header class="header"><div class="banner"><img src="/Images/banner_tinhuy.jpg" alt="Cổng thông tin điện tử Tỉnh ủy Bình Mẫu" /></div>
<div class="topmenu"><ul class="menu">{menu}</ul></div></header>
<div class="main"><div class="left-col">
{main}
</div>
<div class="right-col">
<div class="box"><div class="box-title">Liên kết website</div><select onchange="window.open(this.value)"><option>-- Chọn liên kết --</option><option value="#">Báo điện tử Đảng Cộng sản Việt Nam</option><option value="#">Cổng thông tin điện tử tỉnh</option></select></div>
<div class="box"><div class="box-title">Thống kê</div><div class="counter">Lượt truy cập: 2.457.310<br />Đang truy cập: 38</div></div>
</div></div>
<div class="footer">Cơ quan chủ quản: Tỉnh ủy Bình Mẫu<br />Địa chỉ: 01 Quảng trường Trung tâm, thành phố Bình Mẫu - Điện thoại: 0235 3811 001<br />Giấy phép số 112/GP-TTĐT do Sở Thông tin và Truyền thông cấp<br />Ghi rõ nguồn “Cổng thông tin điện tử Tỉnh ủy Bình Mẫu” khi phát hành lại thông tin từ website này.</div>
</form>
</body>
</html>
"""


def as_teaser(a: dict, href: str) -> str:
    date = f"({dmy(a['dt'])}) " if a["dt"] else ""
    return f'<div class="ArticleItem"><a class="ArticleItemTitle" href="{e(href)}">{e(a["title"])}</a><div class="ArticleItemTeaser"><img src="/Uploads/Images/{a["image"]}" alt="" class="thumb" />{date}{e(a["lead"][:220].rsplit(" ", 1)[0])}...</div></div>'


def as_article(a: dict, arts: list[dict]) -> str:
    dateline = f'<div class="ArticleDate">Cập nhật lúc {a["dt"].strftime("%H:%M, %d/%m/%Y")}</div>' if a["dt"] else ""
    body = "\n".join(f'<p style="text-align: justify;">{e(p)}</p>' for p in a["body"])
    byline = f'\n<p style="text-align: right;"><strong>{e(a["author"])}</strong></p>' if a["author"] else ""
    others = [o for o in arts if o["cat"] == a["cat"] and o is not a]
    # older links in the "already published" box use another parameter order and lower case
    rel = "".join(
        f'<li><a href="viewdetail.aspx?aid={o["id"]}&amp;mid={o["cat"]}">{e(o["title"])}</a>' + (f' <span class="date">({dmy(o["dt"])})</span>' if o["dt"] else "") + "</li>"
        for o in others
    )
    if a["key"] == "T6":
        rel += f'<li><a href="{e(AS_DEAD)}">Ủy ban Kiểm tra Tỉnh ủy họp kỳ thứ 31</a> <span class="date">(22/02/2024)</span></li>'
    tags = " ".join(f'<a href="/Article/ViewTag.aspx?tag={t}">{e(AS_TAGS[t])}</a>' for t in a["tags"])
    main = f"""<div class="breadcrumb"><a href="/Default.aspx">Trang chủ</a> &gt; <a href="{e(as_list(a['cat'], None))}">{e(AS_CATS[a['cat']][1])}</a></div>
<div class="ArticleDetail">
{dateline}
<h1 class="ArticleTitle">{e(a['title'])}</h1>
<div class="ArticleSummary"><b>{e(a['lead'])}</b></div>
<div class="ArticleContent">
<table class="image" align="center"><tr><td><img src="/Uploads/Images/{a['image']}" alt="" width="600" /></td></tr><tr><td class="image_desc"><em>{e(a['caption'])}</em></td></tr></table>
{body}{byline}
</div>
{f'<div class="ArticleTags">Từ khóa: {tags}</div>' if tags else ''}
<div class="ArticleTools"><a href="javascript:window.print();">Bản in</a> | <a href="mailto:?subject={quote(a['title'])}">Gửi email</a> | <a href="#top">Về đầu trang</a></div>
</div>
<div class="OtherNews"><div class="OtherNewsTitle">Các tin đã đưa</div><ul>{rel}</ul></div>"""
    return as_page(f"{a['title']} - Cổng thông tin điện tử Tỉnh ủy Bình Mẫu", main, f"./ViewDetail.aspx?mid={a['cat']}&aid={a['id']}")


def build_aspnet() -> Host:
    h = Host(AS_HOST, "tinhuymau", "Tỉnh ủy Bình Mẫu (trang mẫu)", "province", "Microsoft-IIS/10.0",
             headers={"X-Powered-By": "ASP.NET", "X-AspNet-Version": "4.0.30319"},
             case_insensitive=True,
             session={"segment": AS_SESSION, "redirect_from": "/", "target": "/Default.aspx"})
    arts = site_articles("tinhuymau")
    dated = [a for a in arts if a["dt"]]
    # home links are relative, so under the session URL they carry the (S(...)) segment
    hot = "".join(as_teaser(a, f"Article/ViewDetail.aspx?mid={a['cat']}&aid={a['id']}") for a in dated[:4])
    h.add("/Default.aspx", "Default.aspx.html", as_page("Cổng thông tin điện tử Tỉnh ủy Bình Mẫu", f'<div class="HotNews"><div class="box-title">Tin mới cập nhật</div>{hot}</div>', "./Default.aspx"))
    for cat, (pageid, label) in AS_CATS.items():
        items = [a for a in arts if a["cat"] == cat]
        pages = chunks(items, 2)
        for n, group in enumerate(pages, 1):
            pager = "Trang: " + " ".join(
                f"<span>{k}</span>" if k == n else f'<a href="ViewList.aspx?mid={cat}&amp;pageid={pageid}&amp;pagenumber={k}">{k}</a>'
                for k in range(1, len(pages) + 1)
            )
            if n < len(pages):
                pager += f' <a href="ViewList.aspx?mid={cat}&amp;pageid={pageid}&amp;pagenumber={n + 1}">Trang sau</a>'
            main = f'<div class="breadcrumb"><a href="/Default.aspx">Trang chủ</a> &gt; {e(label)}</div><div class="ListArticle"><h1 class="ListTitle">{e(label)}</h1>' + "".join(as_teaser(a, f"ViewDetail.aspx?mid={cat}&aid={a['id']}") for a in group) + f'</div><div class="pager">{pager}</div>'
            page = as_page(f"{label} - Trang {n} - Cổng thông tin điện tử Tỉnh ủy Bình Mẫu", main, f"./ViewList.aspx?mid={cat}&pageid={pageid}&pagenumber={n}")
            h.add(as_list(cat, n), f"Article/ViewList/mid-{cat}-page-{n}.html", page, aliases=[as_list(cat, None)] if n == 1 else [])
    for a in arts:
        h.add(as_url(a), f"Article/ViewDetail/aid-{a['id']}.html", as_article(a, arts), lm=iso(a["dt"]))
    for tag, label in AS_TAGS.items():
        items = [a for a in arts if tag in a["tags"]]
        main = f'<div class="ListArticle"><h1 class="ListTitle">Từ khóa: {e(label)}</h1>' + "".join(as_teaser(a, as_url(a)) for a in items) + "</div>"
        h.add(f"/Article/ViewTag.aspx?tag={tag}", f"Article/ViewTag/{tag}.html", as_page(f"Từ khóa: {label} - Cổng thông tin điện tử Tỉnh ủy Bình Mẫu", main, f"./ViewTag.aspx?tag={tag}"))
    for page, title, text in [
        ("GioiThieu", "Giới thiệu", "<p>Đảng bộ tỉnh Bình Mẫu có 16 đảng bộ trực thuộc với hơn 61.000 đảng viên.</p><p>Cổng thông tin điện tử Tỉnh ủy là cơ quan thông tin chính thức của Ban Chấp hành Đảng bộ tỉnh.</p>"),
        ("LienHe", "Liên hệ", "<p>Văn phòng Tỉnh ủy Bình Mẫu, 01 Quảng trường Trung tâm, thành phố Bình Mẫu. Điện thoại: 0235 3811 001.</p>"),
        ("SoDoCong", "Sơ đồ cổng", f'<ul><li><a href="/Default.aspx">Trang chủ</a></li><li><a href="{e(as_list("2542", None))}">Tin hoạt động</a></li><li><a href="{e(as_list("2543", None))}">Xây dựng Đảng</a></li><li><a href="/Pages/LienHe.aspx">Liên hệ</a></li></ul>'),
    ]:
        h.add(f"/Pages/{page}.aspx", f"Pages/{page}.aspx.html", as_page(f"{title} - Cổng thông tin điện tử Tỉnh ủy Bình Mẫu", f'<div class="StaticPage"><h1>{title}</h1>{text}</div>', f"./{page}.aspx"))
    h.add("/robots.txt", "robots.txt", "User-agent: *\r\nDisallow: /Admin/\r\nDisallow: /WebResource.axd\r\nDisallow: /ScriptResource.axd\r\n", type="text/plain")
    h.add("", "404.html", "<!DOCTYPE html><html><head><title>404 - Không tìm thấy tệp hoặc thư mục.</title></head><body><div id=\"header\"><h1>Lỗi máy chủ</h1></div><div id=\"content\"><h2>404 - Không tìm thấy tệp hoặc thư mục.</h2><h3>Tài nguyên bạn đang tìm có thể đã bị xóa, đổi tên hoặc tạm thời không khả dụng.</h3></div></body></html>\n")
    return h


# =====================================================================================
# 4. tuyengiao-mau.vn: Liferay propaganda board
# =====================================================================================

LR_HOST = "tuyengiao-mau.vn"
LR_BASE = f"http://{LR_HOST}"
LR_GROUP = "/web/tuyengiao"
LR_CATS = {"tin-hoat-dong": ("Tin hoạt động", "Xk9fQ2rTzL1a"), "nghien-cuu-trao-doi": ("Nghiên cứu - Trao đổi", "Pm4hW7cVbN2s")}
LR_TAGS = {"bao-cao-vien": "báo cáo viên", "hoc-tap-va-lam-theo-bac": "học tập và làm theo Bác", "bao-ve-nen-tang-tu-tuong": "bảo vệ nền tảng tư tưởng"}
LR_DEAD = f"{LR_GROUP}/tin-hoat-dong/-/asset_publisher/Xk9fQ2rTzL1a/content/thong-bao-tuyen-dung-cong-chuc-nam-2017"
LR_CAL = f"{LR_GROUP}/lich-cong-tac"
LR_BOILER = ["Tin cùng chuyên mục", "Số lượt xem", "Liên kết website", "Bản quyền thuộc", "Xem lịch công tác"]
PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_"


def lr_url(a: dict) -> str:
    return f"{LR_GROUP}/{a['cat']}/-/asset_publisher/{LR_CATS[a['cat']][1]}/content/{a['slug']}"


def lr_linked(a: dict) -> str:
    """How listings link an article: with Liferay's redirect parameters."""
    return lr_url(a) + f"?inheritRedirect=true&redirect={quote(LR_GROUP + '/' + a['cat'], safe='')}"


def lr_list(cat: str, n: int) -> str:
    inst = LR_CATS[cat][1]
    base = f"{LR_GROUP}/{cat}"
    return base if n == 1 else f"{base}?p_p_id={PORTLET}{inst}&p_p_lifecycle=0&_{PORTLET}{inst}_cur={n}"


def lr_page(title: str, main: str, *, head: str = "", charset: str = "UTF-8") -> str:
    menu = "".join(
        f'<li class="lfr-nav-item" role="presentation"><a href="{href}" role="menuitem"><span>{e(label)}</span></a></li>'
        for href, label in [
            (LR_GROUP, "Trang chủ"),
            (f"{LR_GROUP}/gioi-thieu", "Giới thiệu"),
            (f"{LR_GROUP}/tin-hoat-dong", "Tin hoạt động"),
            (f"{LR_GROUP}/nghien-cuu-trao-doi", "Nghiên cứu - Trao đổi"),
            (LR_CAL, "Lịch công tác"),
            (f"{LR_GROUP}/lien-he", "Liên hệ"),
            (f"{LR_GROUP}/so-do-cong", "Sơ đồ cổng"),
        ]
    )
    meta = f'<meta content="text/html; charset={charset}" http-equiv="content-type" />' if charset == "UTF-8" else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />'
    return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<title>{e(title)}</title>
{meta}
{head}<link href="/o/tuyengiao-theme/images/favicon.ico" rel="icon" />
<link class="lfr-css-file" href="/o/tuyengiao-theme/css/main.css?browserId=other&amp;themeId=tuyengiao_WAR_tuyengiaotheme&amp;languageId=vi_VN" rel="stylesheet" type="text/css" />
<script type="text/javascript">var Liferay = {{}}; Liferay.ThemeDisplay = {{getLanguageId: function() {{ return "vi_VN"; }}}};</script>
</head>
<body class="controls-visible yui3-skin-sam guest-site signed-out public-page site">
<div class="container-fluid" id="wrapper">
<header id="banner" role="banner">
<div id="heading"><h1 class="site-title"><a class="logo custom-logo" href="{LR_GROUP}" title="Về Ban Tuyên giáo Tỉnh ủy Bình Mẫu"><img alt="Ban Tuyên giáo Tỉnh ủy Bình Mẫu" height="90" src="/image/layout_set_logo?img_id=40112&amp;t=1537340512315" width="960" /></a></h1></div>
<nav class="sort-pages modify-pages" id="navigation" role="navigation"><h1 class="hide-accessible">Điều hướng</h1><ul aria-label="Các trang của site" class="menu" role="menubar">{menu}</ul></nav>
</header>
<section id="content">
<div class="columns-2" id="main-content" role="main"><div class="portlet-layout row">
<div class="col-md-8 portlet-column portlet-column-first" id="column-1">
{main}
</div>
<div class="col-md-4 portlet-column portlet-column-last" id="column-2">
<div class="portlet-boundary portlet-journal-content"><div class="portlet-title">Lịch công tác</div><div class="portlet-body"><a href="{LR_CAL}">Xem lịch công tác</a> của Thường trực Ban Tuyên giáo Tỉnh ủy</div></div>
<div class="portlet-boundary"><div class="portlet-title">Liên kết website</div><ul><li><a href="#">Ban Tuyên giáo Trung ương</a></li><li><a href="#">Tạp chí Tuyên giáo</a></li></ul></div>
</div>
</div></div>
</section>
<footer id="footer" role="contentinfo"><p class="powered-by">Bản quyền thuộc Ban Tuyên giáo Tỉnh ủy Bình Mẫu. Địa chỉ: 01 Quảng trường Trung tâm, thành phố Bình Mẫu. Điện thoại: 0235 3811 050</p></footer>
</div>
</body>
</html>
"""


def lr_teaser(a: dict) -> str:
    date = f'<span class="metadata-publish-date">{dmy(a["dt"])}</span>' if a["dt"] else ""
    return f'<div class="asset-abstract"><h3 class="asset-title"><a href="{e(lr_linked(a))}">{e(a["title"])}</a></h3><div class="asset-metadata">{date}</div><div class="asset-summary">{e(a["lead"])}</div></div>'


def lr_article(a: dict, arts: list[dict]) -> str:
    url = LR_BASE + lr_url(a)
    label = LR_CATS[a["cat"]][0]
    dateline = f'<div class="date-publish">Ngày đăng {a["dt"].strftime("%d/%m/%Y | %H:%M")}</div>' if a["dt"] else ""
    body = "\n".join(f'<p style="text-align: justify;">{e(p)}</p>' for p in a["body"])
    byline = f'\n<p style="text-align: right;"><strong>{e(a["author"])}</strong></p>' if a["author"] else ""
    others = [o for o in arts if o["cat"] == a["cat"] and o is not a]
    rel = "".join(f'<li><a href="{e(lr_linked(o))}">{e(o["title"])}</a></li>' for o in others)
    if a["key"] == "L1":
        rel += f'<li><a href="{LR_DEAD}">Thông báo tuyển dụng công chức năm 2017</a></li>'
    tags = " ".join(f'<a class="tag" href="{LR_GROUP}/tim-kiem?tag={t}">{e(LR_TAGS[t])}</a>' for t in a["tags"])
    main = f"""<div class="portlet-boundary portlet-asset-publisher" id="p_p_id_{PORTLET}{LR_CATS[a['cat']][1]}_">
<div class="portlet-title"><a href="{LR_GROUP}/{a['cat']}">{e(label)}</a></div>
<div class="asset-full-content clearfix show-asset-title">
<h3 class="header-title"><span>{e(a['title'])}</span></h3>
{dateline}
<div class="asset-content"><div class="journal-content-article" data-analytics-asset-id="{zlib.crc32(a['slug'].encode()) % 100000}">
<p><strong>{e(a['lead'])}</strong></p>
<p style="text-align: center;"><img alt="" src="/documents/40112/0/{a['image']}" style="width: 600px;" /></p>
<p style="text-align: center;"><em>{e(a['caption'])}</em></p>
{body}{byline}
</div></div>
<div class="asset-metadata">{f'<span class="metadata-entry metadata-tags">{tags}</span>' if tags else ''} <span class="metadata-entry metadata-view-count">Số lượt xem: {len(a['slug']) * 7}</span></div>
</div>
<div class="other-news"><div class="other-news-title">Tin cùng chuyên mục</div><ul>{rel}</ul></div>
</div>"""
    head = f'<link data-senna-track="temporary" href="{url}" rel="canonical" />\n<meta property="og:title" content="{e(a["title"])}" />\n<meta property="og:url" content="{url}" />\n'
    return lr_page(f"{a['title']} - {label} - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", main, head=head, charset=a["encoding"] if a["encoding"] != "utf-8" else "UTF-8")


CAL_TEMPLATE_MAIN = """<div class="portlet-boundary portlet-calendar">
<div class="portlet-title">Lịch công tác tuần của Thường trực Ban Tuyên giáo Tỉnh ủy</div>
<h2 class="calendar-day">{{weekday}}, ngày {{date}}</h2>
<table class="lich-cong-tac"><thead><tr><th>Thời gian</th><th>Nội dung</th><th>Địa điểm</th></tr></thead><tbody>
{{items}}
</tbody></table>
<div class="calendar-nav"><a class="prev" href="{{prev_url}}">« Ngày trước</a> | <a class="next" href="{{next_url}}">Ngày sau »</a></div>
</div>"""


def build_liferay() -> Host:
    h = Host(LR_HOST, "tuyengiaomau", "Ban Tuyên giáo Tỉnh ủy Bình Mẫu (trang mẫu)", "province", "Apache-Coyote/1.1",
             headers={"Liferay-Portal": "Liferay Community Edition Portal 7.0.6 GA7"},
             ignored_params=["inheritRedirect", "redirect", "p_p_lifecycle"])
    h.redirects["/"] = {"status": 302, "location": LR_BASE + LR_GROUP}
    arts = site_articles("tuyengiaomau")
    dated = [a for a in arts if a["dt"]]
    home = '<div class="portlet-boundary portlet-asset-publisher"><div class="portlet-title">Tin mới</div>' + "".join(lr_teaser(a) for a in dated[:4]) + "</div>"
    h.add(LR_GROUP, "web/tuyengiao/index.html", lr_page("Trang chủ - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", home, head=f'<link href="{LR_BASE}{LR_GROUP}" rel="canonical" />\n'))
    for cat, (label, inst) in LR_CATS.items():
        items = [a for a in arts if a["cat"] == cat]
        pages = chunks(items, 2)
        for n, group in enumerate(pages, 1):
            pager = "".join(
                f'<li class="active"><a href="javascript:;">{k}</a></li>' if k == n else f'<li><a href="{e(lr_list(cat, k))}">{k}</a></li>'
                for k in range(1, len(pages) + 1)
            )
            if n < len(pages):
                pager += f'<li><a href="{e(lr_list(cat, n + 1))}">Sau</a></li>'
            main = f'<div class="portlet-boundary portlet-asset-publisher" id="p_p_id_{PORTLET}{inst}_"><div class="portlet-title">{e(label)}</div>' + "".join(lr_teaser(a) for a in group) + f'<div class="taglib-page-iterator"><ul class="pagination">{pager}</ul></div></div>'
            h.add(lr_list(cat, n), f"web/tuyengiao/{cat}/page-{n}.html", lr_page(f"{label} - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", main, head=f'<link href="{LR_BASE}{LR_GROUP}/{cat}" rel="canonical" />\n'))
    for a in arts:
        text = lr_article(a, arts)
        if a["unicode_form"] == "NFD":
            text = unicodedata.normalize("NFD", text)
        if a["encoding"] == "windows-1258":
            h.add(lr_url(a), f"web/tuyengiao/{a['cat']}/content/{a['slug']}.html", to_cp1258(text), type="text/html; charset=windows-1258", lm=iso(a["dt"]))
        else:
            h.add(lr_url(a), f"web/tuyengiao/{a['cat']}/content/{a['slug']}.html", text, lm=iso(a["dt"]))
    for tag, label in LR_TAGS.items():
        items = [a for a in arts if tag in a["tags"]]
        main = f'<div class="portlet-boundary portlet-search"><div class="portlet-title">Từ khóa: {e(label)}</div>' + "".join(lr_teaser(a) for a in items) + "</div>"
        h.add(f"{LR_GROUP}/tim-kiem?tag={tag}", f"web/tuyengiao/tim-kiem/{tag}.html", lr_page(f"Tìm kiếm - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", main))
    for slug, title, text in [
        ("gioi-thieu", "Giới thiệu", "<p>Ban Tuyên giáo Tỉnh ủy Bình Mẫu là cơ quan tham mưu, giúp việc của Ban Chấp hành Đảng bộ tỉnh về công tác tuyên giáo.</p>"),
        ("lien-he", "Liên hệ", "<p>Ban Tuyên giáo Tỉnh ủy Bình Mẫu, 01 Quảng trường Trung tâm, thành phố Bình Mẫu. Điện thoại: 0235 3811 050.</p>"),
        ("so-do-cong", "Sơ đồ cổng", f'<ul><li><a href="{LR_GROUP}">Trang chủ</a></li><li><a href="{LR_GROUP}/tin-hoat-dong">Tin hoạt động</a></li><li><a href="{LR_GROUP}/nghien-cuu-trao-doi">Nghiên cứu - Trao đổi</a></li><li><a href="{LR_CAL}">Lịch công tác</a></li></ul>'),
    ]:
        h.add(f"{LR_GROUP}/{slug}", f"web/tuyengiao/{slug}.html", lr_page(f"{title} - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", f'<div class="portlet-boundary portlet-journal-content"><div class="portlet-title">{title}</div><div class="journal-content-article">{text}</div></div>', head=f'<link href="{LR_BASE}{LR_GROUP}/{slug}" rel="canonical" />\n'))
    # the calendar: one template, rendered by the server for ?ngay=YYYY-MM-DD, forever
    cal = lr_page("Lịch công tác - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", CAL_TEMPLATE_MAIN)
    h.add("", "web/tuyengiao/lich-cong-tac.template.html", cal)
    h.calendar = {
        "path": LR_CAL, "param": "ngay", "start": TODAY,
        "template": "web/tuyengiao/lich-cong-tac.template.html",
        "weekdays": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"],
        "items": [
            ["07:30", "Giao ban Thường trực Ban Tuyên giáo Tỉnh ủy", "Phòng họp số 1"],
            ["08:00", "Dự hội nghị báo cáo viên Tỉnh ủy định kỳ", "Hội trường Tỉnh ủy"],
            ["09:00", "Làm việc với Ban Tuyên giáo các huyện ủy về công tác tuyên truyền", "Phòng họp số 2"],
            ["14:00", "Họp Hội đồng thẩm định tài liệu sinh hoạt chi bộ", "Phòng họp số 1"],
            ["14:30", "Kiểm tra công tác nắm bắt dư luận xã hội tại cơ sở", "Huyện Sơn Mẫu"],
            ["15:30", "Tiếp và làm việc với Đoàn công tác Ban Tuyên giáo Trung ương", "Hội trường Tỉnh ủy"],
        ],
        "per_day": 3,
        "weekend": "Không có lịch công tác.",
    }
    urls = []
    for u, lm in [(LR_GROUP, DEFAULT_LM)] + [(f"{LR_GROUP}/{c}", DEFAULT_LM) for c in LR_CATS] + [(lr_url(a), iso(a["dt"])) for a in arts] + [(f"{LR_GROUP}/{s}", None) for s in ("gioi-thieu", "lien-he", "so-do-cong")]:
        urls.append(f"<url><loc>{LR_BASE}{u}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</url>")
    h.add("/sitemap.xml", "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(urls) + "\n</urlset>\n", type="application/xml; charset=UTF-8")
    h.add("/robots.txt", "robots.txt", f"User-agent: *\nDisallow: /c/\nDisallow: /group/\nDisallow: /api/\n\nSitemap: {LR_BASE}/sitemap.xml\n", type="text/plain; charset=UTF-8")
    h.add("", "404.html", lr_page("Không tìm thấy - Ban Tuyên giáo Tỉnh ủy Bình Mẫu", '<div class="portlet-boundary"><h3>Không tìm thấy trang được yêu cầu.</h3><p>Trang bạn tìm không tồn tại.</p></div>'))
    return h


# =====================================================================================


def canonical(a: dict) -> str:
    return {
        "huyenuymau": NV_BASE + nv_url(a) if a["site"] == "huyenuymau" else "",
        "khoimau": WP_BASE + wp_url(a) if a["site"] == "khoimau" else "",
        "tinhuymau": AS_BASE + as_url(a) if a["site"] == "tinhuymau" else "",
        "tuyengiaomau": LR_BASE + lr_url(a) if a["site"] == "tuyengiaomau" else "",
    }[a["site"]]


def aliases(a: dict) -> list[str]:
    s = a["site"]
    if s == "huyenuymau":
        return [NV_BASE + nv_print(a)]
    if s == "khoimau":
        return [f"{WP_BASE}/?p={a['id']}"]
    if s == "tinhuymau":
        return [
            f"{AS_BASE}/{AS_SESSION}/Article/ViewDetail.aspx?mid={a['cat']}&aid={a['id']}",
            f"{AS_BASE}/Article/viewdetail.aspx?aid={a['id']}&mid={a['cat']}",
        ]
    return [LR_BASE + lr_linked(a)]


BOILER = {"huyenuymau": NV_BOILER, "khoimau": WP_BOILER, "tinhuymau": AS_BOILER, "tuyengiaomau": LR_BOILER}
DATE_SOURCE = {"huyenuymau": "dateline", "khoimau": "meta", "tinhuymau": "dateline", "tuyengiaomau": "dateline"}


def main() -> None:
    hosts = [build_nukeviet(), build_wordpress(), build_aspnet(), build_liferay()]
    keep = {"README.md", "_source"}
    if OUT.exists():
        for child in OUT.iterdir():
            if child.name in keep:
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    routes: dict = {"version": 1, "today": TODAY, "default_last_modified": DEFAULT_LM, "hosts": {}}
    for h in hosts:
        hosts_res: dict = {}
        for r in h.resources:
            path = OUT / h.host / r.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(r.body)
            if not r.url:
                continue
            entry: dict = {"file": r.file}
            if r.type:
                entry["type"] = r.type
            if r.lm:
                entry["last_modified"] = r.lm
            assert r.url not in hosts_res, r.url
            hosts_res[r.url] = entry
            for al in r.aliases:
                hosts_res[al] = dict(entry)
        cfg: dict = {
            "site_id": h.site_id,
            "server": h.server,
            "headers": h.headers,
            "case_insensitive": h.case_insensitive,
            "slash_redirect": h.slash_redirect,
            "ignored_params": h.ignored_params,
            "not_found": h.not_found,
        }
        if h.session:
            cfg["session"] = h.session
        if h.calendar:
            cfg["calendar"] = h.calendar
        cfg["redirects"] = h.redirects
        cfg["resources"] = hosts_res
        routes["hosts"][h.host] = cfg
    (OUT / "routes.json").write_text(json.dumps(routes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    pages = []
    for h in hosts:
        for r in h.resources:
            if r.kind and r.kind not in ("article", "print"):
                pages.append({"site_id": h.site_id, "url": f"http://{h.host}{r.url}", "kind": r.kind})
            if r.kind == "article":
                assert any(canonical(a) == f"http://{h.host}{r.url}" for a in ARTS), r.url
    truth_articles = []
    for a in ARTS:
        mnc = list(BOILER[a["site"]])
        if a["site"] == "huyenuymau":
            mnc.append(a["image"])  # the image's file name is its alt text
        page = next(r for h in hosts for r in h.resources if f"http://{h.host}{r.url}" == canonical(a))
        page_text = unicodedata.normalize("NFC", html.unescape(page.body.decode("cp1258" if a["encoding"] == "windows-1258" else "utf-8")))
        mnc = [phrase for phrase in mnc if phrase in page_text]
        for phrase in mnc:
            for other in ARTS:
                if other["site"] == a["site"]:
                    prose_text = " ".join([other["title"], other["lead"], *other["body"]])
                    assert phrase not in prose_text, (phrase, other["key"])
        copy_of = canonical(BY_KEY[a["copy_of"]]) if a["copy_of"] else None
        truth_articles.append({
            "site_id": a["site"],
            "url": canonical(a),
            "aliases": aliases(a),
            "title": a["title"],
            "published": iso(a["dt"]),
            "published_source": DATE_SOURCE[a["site"]] if a["dt"] else None,
            "author": a["author"],
            "must_contain": must_contain(a),
            "must_not_contain": mnc,
            "copy_of": copy_of,
            "encoding": a["encoding"],
            "unicode_form": a["unicode_form"],
            "words": len((a["lead"] + " " + " ".join(a["body"])).split()),
        })
    dead = [NV_BASE + NV_DEAD, WP_BASE + WP_DEAD, AS_BASE + AS_DEAD, LR_BASE + LR_DEAD]
    truth = {
        "about": "Ground truth of the bundled sample sites (fictional units). Dates are Vietnam time.",
        "today": TODAY,
        "articles": truth_articles,
        "sites": {
            h.site_id: {"host": h.host, "case_insensitive": h.case_insensitive, "session_segments": bool(h.session), "ignored_params": h.ignored_params}
            for h in hosts
        },
        "dead_links": dead,
        "pages": pages,
        "calendar": {"site_id": "tuyengiaomau", "url": LR_BASE + LR_CAL, "param": "ngay"},
    }
    (OUT / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "level", "province", "url", "province_now", "status", "notes"])
    notes = {
        "huyenuymau": "sample site (NukeViet style) for the offline demo; fictional",
        "khoimau": "sample site (WordPress style) for the offline demo; fictional",
        "tinhuymau": "sample site (ASP.NET on IIS style) for the offline demo; fictional",
        "tuyengiaomau": "sample site (Liferay style) for the offline demo; fictional",
    }
    for h in hosts:
        w.writerow([h.site_id, h.name, h.level, "Bình Mẫu", f"http://{h.host}/", "Bình Mẫu", "active", notes[h.site_id]])
    (OUT / "sites.csv").write_text(buf.getvalue(), encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {sum(len(h.resources) for h in hosts)} files, {total} bytes, {len(truth_articles)} articles")


if __name__ == "__main__":
    main()
