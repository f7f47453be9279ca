"""The default rule set, taken where it can be from 常政办发〔2014〕97号 (see docs/scoring.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

NAME = "默认积分规则"
EFFECTIVE_FROM = dt.date(2000, 1, 1)
SOURCE = (
    "常山县人民政府办公室《常山县政务信息工作考核办法》（常政办发〔2014〕97号）"
    "三（一）1、三（二）1–2；其余为本办默认值，见 docs/scoring.md。"
)

#: (kind, key, points, label). Deductions are stored negative: an entry's points are the
#: rule's value (times multipliers, split), never a sign flipped in code.
RULES: list[tuple[str, str, str, str]] = [
    # 常政办发〔2014〕97号 三（二）1: 县级采用 《要情快报》5,《常山政务》10,增刊/《政务参阅》30.
    ("adoption", "office:default", "5", "本级刊物采用（默认，同《要情快报》）"),
    ("adoption", "office:每日要情", "5", "《每日要情》采用（对应《要情快报》）"),
    ("adoption", "office:综合信息", "10", "《综合信息》采用（对应《常山政务》）"),
    ("adoption", "office:信息专报", "30", "《信息专报》采用（对应增刊、《政务参阅》）"),
    ("adoption", "office:紧急信息快报", "10", "《紧急信息快报》采用（本办默认值）"),
    # 三（二）2: 经转报被市级采用，《衢州政务信息动态》每条 20 分.
    ("adoption", "city", "20", "市级采用"),
    ("adoption", "province", "50", "省级采用（本办默认值）"),
    ("adoption", "central", "100", "国办、中办采用（本办默认值）"),
    ("instruction", "office", "10", "本级领导批示（本办默认值）"),
    ("instruction", "city", "20", "市领导批示（本办默认值）"),
    ("instruction", "province", "30", "省领导批示（本办默认值）"),
    ("instruction", "central", "50", "中央领导批示（本办默认值）"),
    ("multiplier", "research", "2", "调研类信息加倍"),
    ("multiplier", "forwarded", "2", "经本办转报被上级采用加倍"),
    # 三（一）1: 完成每月最低指标，月度基础分 10 分.
    ("quota", "met", "10", "完成当期报送指标"),
    ("quota", "shortfall", "-1", "未完成指标，每少 1 条（本办默认值）"),
    ("deduction", "late", "-5", "紧急信息迟报（本办默认值）"),
    ("deduction", "missed", "-10", "紧急信息漏报（本办默认值）"),
    ("deduction", "concealed", "-20", "紧急信息瞒报（本办默认值）"),
    ("deduction", "missed_commission", "-10", "未完成约稿"),
    ("deduction", "missed_feedback", "-10", "批示落实情况未反馈"),
]


def add(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    RuleSet = apps.get_model("scoring", "RuleSet")
    Rule = apps.get_model("scoring", "Rule")
    ruleset, created = RuleSet.objects.get_or_create(
        effective_from=EFFECTIVE_FROM, defaults={"name": NAME, "source": SOURCE}
    )
    if not created:
        return
    Rule.objects.bulk_create(
        Rule(ruleset=ruleset, kind=kind, key=key, points=Decimal(points), label=label)
        for kind, key, points, label in RULES
    )


def remove(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("scoring", "RuleSet").objects.filter(
        effective_from=EFFECTIVE_FROM, name=NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
