"""Feeds and pages the collection tests serve."""

from __future__ import annotations


def rss(items: list[tuple[str, str, str]], *, encoding: str = "utf-8") -> str:
    """An RSS 2.0 feed of (title, link, description) items, declaring ``encoding``."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>&lt;p&gt;{d}&lt;/p&gt;"
        f"</description><pubDate>Mon, 07 Dec 2026 10:00:00 +0800</pubDate></item>"
        for t, link, d in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>澜江发布</title><link>http://example.org/</link>{body}</channel></rss>"
    )


def atom(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<entry><title>{t}</title><link href="{link}"/><id>{link}</id>'
        f'<updated>2026-12-07T02:00:00Z</updated><content type="html">{d}</content></entry>'
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>澜江论坛</title><id>urn:x</id><updated>2026-12-07T02:00:00Z</updated>{entries}"
        "</feed>"
    )


FLOOD = (
    "12月7日上午，东城县东河镇因连日降雨发生内涝，部分村民房屋进水。"
    "镇政府已组织转移群众120人，县应急管理局派出工作组赶赴现场。"
    "目前积水正在排除，暂无人员伤亡报告，群众生活基本稳定。"
)
FIRE = (
    "12月6日晚，西山县城南一家小餐馆发生火灾，消防救援人员迅速到场处置。"
    "火势在半小时内被扑灭，过火面积约30平方米，事故原因正在调查之中。"
)
ROADS = (
    "澜江市交通运输局发布消息，市区主干道改造工程本周进入路面铺设阶段。"
    "施工期间部分路段实行交通管制，请市民合理安排出行路线。"
)


def page(title: str, text: str, *, charset: str = "utf-8", decoration: str = "") -> str:
    paragraphs = "".join(f"<p>{s}。</p>" for s in text.split("。") if s)
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f"<nav>首页 | 新闻 | 政务公开 {decoration}</nav><article><h1>{title}</h1>{paragraphs}"
        f"</article><footer>澜江市人民政府 版权所有 {decoration}</footer></body></html>"
    )
