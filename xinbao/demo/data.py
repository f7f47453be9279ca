"""The demo city, 澜江市: its units, their people and the office's staff.

Everything here is fictional and fixed: the same names, phones and dates come out on every
machine, so a demo can be rebuilt and talked through from notes. Phone numbers use the
13900xxxxxx block and addresses the ``.example`` domain, so nothing reaches a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from xinbao.accounts.models import Role
from xinbao.org.models import DirectPointType, Position, UnitKind

CITY = "澜江市"
EMAIL_DOMAIN = "lanjiang.example"
#: One shared password for every demo login; it passes the password policy (checked in tests).
DEMO_PASSWORD = "Xinbao-demo-2026"  # noqa: S105  (published on purpose: demo mode only)
SEED = 20260101


@dataclass(frozen=True)
class ClassSpec:
    name: str
    rank: int
    quota_per_month: int


UNIT_CLASSES = (
    ClassSpec("一类", 1, 6),
    ClassSpec("二类", 2, 4),
    ClassSpec("三类", 3, 2),
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    kind: str
    class_name: str
    head_title: str
    topics: tuple[str, ...] = ()
    #: ASCII part of the reporter's username; empty when the unit has no demo login.
    slug: str = ""
    point_type: str = ""
    county_code: str = ""
    #: Towns of a county, or the town a township/grassroots point sits in.
    towns: tuple[str, ...] = ()
    river: str = ""
    reporters: int = 1


def _county(
    code: str, short: str, slug: str, towns: tuple[str, ...], river: str, reporters: int = 1
) -> UnitSpec:
    is_district = short.endswith("区")
    return UnitSpec(
        code=code,
        name=f"{short}委办公室",
        short_name=short,
        kind=UnitKind.COUNTY,
        class_name="一类" if is_district or reporters > 1 else "二类",
        head_title="区委办公室主任" if is_district else "县委办公室主任",
        slug=slug,
        towns=towns,
        river=river,
        reporters=reporters,
    )


COUNTIES = (
    _county("C01", "澜城区", "lancheng", ("澜园街道", "江滨街道", "鼓楼街道"), "澜江", 2),
    _county("C02", "江湾区", "jiangwan", ("滨河街道", "码头街道", "望江镇"), "澜江"),
    _county("C03", "临溪区", "linxi", ("溪口街道", "桥头镇", "新塘镇"), "临溪河"),
    _county("C04", "新港区", "xingang", ("港城街道", "临港镇", "沙洲街道"), "澜江"),
    _county("C05", "青屏县", "qingping", ("青屏镇", "双河镇", "石门乡"), "青屏河", 2),
    _county("C06", "云岭县", "yunling", ("云岭镇", "白云镇", "高坪乡"), "云溪"),
    _county("C07", "石桥县", "shiqiao", ("石桥镇", "柳林镇", "东岗乡"), "石桥河"),
    _county("C08", "梅溪县", "meixi", ("梅溪镇", "桃花乡", "龙潭镇"), "梅溪河"),
    _county("C09", "鹤鸣县", "heming", ("鹤鸣镇", "松岗镇", "白鹭乡"), "鹤鸣河"),
    _county("C10", "桐坪县", "tongping", ("桐坪镇", "大坝镇", "长岭乡"), "桐江"),
    _county("C11", "凤栖县", "fengqi", ("凤栖镇", "金竹镇", "清泉乡"), "凤栖河"),
    _county("C12", "柳岸县", "liuan", ("柳岸镇", "沙河镇", "杨柳乡"), "柳河"),
)


def _dept(
    code: str,
    name: str,
    short: str,
    topics: tuple[str, ...],
    *,
    slug: str = "",
    class_name: str = "二类",
    reporters: int = 1,
) -> UnitSpec:
    head = "主任" if name.endswith(("委", "委员会")) else "局长"
    return UnitSpec(
        code=code,
        name=name,
        short_name=short,
        kind=UnitKind.MUNICIPAL_DEPARTMENT,
        class_name=class_name,
        head_title=head,
        topics=topics,
        slug=slug,
        reporters=reporters,
    )


DEPARTMENTS = (
    _dept(
        "D01",
        "市发展和改革委员会",
        "市发展改革委",
        ("营商环境", "项目建设", "经济运行"),
        slug="fagai",
        class_name="一类",
    ),
    _dept("D02", "市教育局", "市教育局", ("教育",), slug="jiaoyu", class_name="一类"),
    _dept("D03", "市科学技术局", "市科技局", ("科技创新",)),
    _dept("D04", "市工业和信息化局", "市工信局", ("工业经济", "安全生产")),
    _dept(
        "D05",
        "市公安局",
        "市公安局",
        ("信访稳定", "交通运输", "安全生产"),
        slug="gongan",
        class_name="一类",
        reporters=2,
    ),
    _dept("D06", "市民政局", "市民政局", ("民生保障",)),
    _dept("D07", "市司法局", "市司法局", ("信访稳定",), class_name="三类"),
    _dept("D08", "市财政局", "市财政局", ("经济运行",), class_name="三类"),
    _dept("D09", "市人力资源和社会保障局", "市人社局", ("就业创业", "民生保障"), slug="renshe"),
    _dept("D10", "市自然资源和规划局", "市自然资源规划局", ("生态环保", "项目建设")),
    _dept("D11", "市生态环境局", "市生态环境局", ("生态环保",), slug="shengtai", class_name="一类"),
    _dept("D12", "市住房和城乡建设局", "市住建局", ("城市建设", "安全生产")),
    _dept("D13", "市交通运输局", "市交通运输局", ("交通运输", "安全生产")),
    _dept("D14", "市水利局", "市水利局", ("防汛抗旱",), slug="shuili"),
    _dept(
        "D15",
        "市农业农村局",
        "市农业农村局",
        ("乡村振兴", "粮食安全"),
        slug="nongye",
        class_name="一类",
    ),
    _dept("D16", "市商务局", "市商务局", ("营商环境", "经济运行")),
    _dept("D17", "市文化广电旅游局", "市文广旅局", ("文化旅游",)),
    _dept(
        "D18", "市卫生健康委员会", "市卫生健康委", ("医疗卫生",), slug="weijian", class_name="一类"
    ),
    _dept("D19", "市退役军人事务局", "市退役军人局", ("民生保障",), class_name="三类"),
    _dept(
        "D20",
        "市应急管理局",
        "市应急管理局",
        ("安全生产", "防汛抗旱", "森林防火"),
        slug="yingji",
        class_name="一类",
        reporters=2,
    ),
    _dept("D21", "市审计局", "市审计局", ("经济运行",), class_name="三类"),
    _dept("D22", "市市场监督管理局", "市市场监管局", ("营商环境", "食品安全"), slug="shichang"),
    _dept("D23", "市统计局", "市统计局", ("经济运行",), class_name="三类"),
    _dept("D24", "市医疗保障局", "市医保局", ("医疗卫生", "民生保障")),
    _dept("D25", "市林业局", "市林业局", ("生态环保", "森林防火")),
    _dept("D26", "市城市管理局", "市城管局", ("城市建设",)),
    _dept("D27", "市信访局", "市信访局", ("信访稳定",), slug="xinfang"),
    _dept("D28", "市数据局", "市数据局", ("数字政府", "营商环境")),
    _dept("D29", "市人民政府国有资产监督管理委员会", "市国资委", ("国企改革", "安全生产")),
    _dept("D30", "市粮食和物资储备局", "市粮储局", ("粮食安全",), class_name="三类"),
)


def _point(
    code: str,
    name: str,
    short: str,
    point_type: str,
    head_title: str,
    topics: tuple[str, ...],
    *,
    county: str = "",
    town: str = "",
    slug: str = "",
) -> UnitSpec:
    return UnitSpec(
        code=code,
        name=name,
        short_name=short,
        kind=UnitKind.DIRECT_POINT,
        class_name="三类",
        head_title=head_title,
        topics=topics,
        slug=slug,
        point_type=point_type,
        county_code=county,
        towns=(town,) if town else (),
    )


T = DirectPointType
POINTS = (
    _point(
        "P01", "澜江市第一中学", "市一中", T.SCHOOL, "校长", ("教育",), county="C01", slug="yizhong"
    ),
    _point("P02", "青屏县实验小学", "青屏实验小学", T.SCHOOL, "校长", ("教育",), county="C05"),
    _point("P03", "澜江职业技术学院", "澜江职院", T.SCHOOL, "院长", ("教育", "就业创业")),
    _point(
        "P04",
        "澜江市农业科学研究院",
        "市农科院",
        T.RESEARCH_INSTITUTE,
        "院长",
        ("乡村振兴", "科技创新"),
        slug="nongkeyuan",
    ),
    _point(
        "P05",
        "澜江市社会科学院",
        "市社科院",
        T.RESEARCH_INSTITUTE,
        "院长",
        ("经济运行", "基层治理"),
    ),
    _point(
        "P06",
        "澜江城市建设投资集团有限公司",
        "澜江城投",
        T.STATE_ENTERPRISE,
        "董事长",
        ("国企改革", "项目建设", "安全生产"),
        slug="chengtou",
    ),
    _point(
        "P07",
        "澜江港务集团有限公司",
        "澜江港务",
        T.STATE_ENTERPRISE,
        "董事长",
        ("国企改革", "交通运输", "安全生产"),
        county="C04",
    ),
    _point(
        "P08",
        "江湾区滨河街道办事处",
        "滨河街道",
        T.TOWNSHIP,
        "街道党工委书记",
        ("基层治理", "民生保障"),
        county="C02",
        town="滨河街道",
        slug="binhe",
    ),
    _point(
        "P09",
        "云岭县白云镇人民政府",
        "白云镇",
        T.TOWNSHIP,
        "镇党委书记",
        ("乡村振兴", "基层治理", "防汛抗旱"),
        county="C06",
        town="白云镇",
        slug="baiyun",
    ),
    _point(
        "P10",
        "梅溪县桃花乡人民政府",
        "桃花乡",
        T.TOWNSHIP,
        "乡党委书记",
        ("乡村振兴", "文化旅游"),
        county="C08",
        town="桃花乡",
    ),
    _point(
        "P11", "国家税务总局澜江市税务局", "市税务局", T.VERTICAL_DEPARTMENT, "局长", ("营商环境",)
    ),
    _point(
        "P12",
        "澜江市气象局",
        "市气象局",
        T.VERTICAL_DEPARTMENT,
        "局长",
        ("防汛抗旱", "森林防火"),
        slug="qixiang",
    ),
    _point(
        "P13", "澜江市总工会", "市总工会", T.PEOPLES_ORGANISATION, "主席", ("就业创业", "民生保障")
    ),
    _point(
        "P14",
        "共青团澜江市委员会",
        "团市委",
        T.PEOPLES_ORGANISATION,
        "书记",
        ("就业创业", "基层治理"),
    ),
    _point(
        "P15",
        "澜江市妇女联合会",
        "市妇联",
        T.PEOPLES_ORGANISATION,
        "主席",
        ("民生保障", "基层治理"),
    ),
    _point(
        "P16",
        "澜城区江滨街道幸福里社区居民委员会",
        "幸福里社区",
        T.GRASSROOTS,
        "社区党委书记",
        ("基层治理", "民生保障"),
        county="C01",
        town="江滨街道",
        slug="xingfuli",
    ),
    _point(
        "P17",
        "石桥县柳林镇红星村村民委员会",
        "红星村",
        T.GRASSROOTS,
        "村党支部书记",
        ("乡村振兴", "基层治理"),
        county="C07",
        town="柳林镇",
    ),
)

UNITS = (*COUNTIES, *DEPARTMENTS, *POINTS)
UNITS_BY_CODE = {u.code: u for u in UNITS}


@dataclass(frozen=True)
class OfficeUser:
    username: str
    role: str
    full_name: str
    phone: str


OFFICE_USERS = (
    OfficeUser("editor", Role.EDITOR, "程雨桐", "13900000101"),
    OfficeUser("editor2", Role.EDITOR, "韦思远", "13900000102"),
    OfficeUser("chief", Role.SECTION_CHIEF, "邵文清", "13900000103"),
    OfficeUser("leader", Role.LEADER_IN_CHARGE, "顾立言", "13900000104"),
    OfficeUser("principal", Role.PRINCIPAL_LEADER, "沈致远", "13900000105"),
    OfficeUser("duty", Role.DUTY_OFFICER, "彭晓岚", "13900000106"),
    OfficeUser("liaison", Role.PARTNER_LIAISON, "江若宁", "13900000107"),
    OfficeUser("sysadmin", Role.SYSTEM_ADMIN, "倪嘉木", "13900000108"),
    OfficeUser("secadmin", Role.SECURITY_ADMIN, "葛书衡", "13900000109"),
    OfficeUser("auditor", Role.AUDIT_ADMIN, "柏清和", "13900000110"),
)


@dataclass(frozen=True)
class PersonSpec:
    key: str  # stable id within the demo, e.g. "C01-head-0"
    unit_code: str
    name: str
    title: str
    phone: str
    office_phone: str
    email: str
    position: str
    started_on: dt.date
    ended_on: dt.date | None = None


@dataclass
class People:
    people: list[PersonSpec] = field(default_factory=list)

    def current(self, unit_code: str, position: str) -> list[PersonSpec]:
        return [
            p
            for p in self.people
            if p.unit_code == unit_code and p.position == position and p.ended_on is None
        ]


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱尹薛段雷侯史陶黎贺顾毛"
    "郝龚邵万严覃武戴莫孔向汤"
)
# Plain given-name characters; names are always surname + two of these.
_GIVEN = (
    "建文华明伟海燕红志丽敏静军平刚勇杰涛斌霞芳洁琳婷雪晨宇浩鹏磊晓春秋梅兰玉林峰波辉新亮"
    "欣怡佳思雨嘉瑞博立成安宁昊航俊凯颖慧倩璐杨帆振兴德永朝阳光荣和庆远清淑萍桂英"
)

#: Units whose head changed, and units whose reporter changed, to show the roster's history.
HEAD_CHANGED = ("C01", "C07", "D05", "D20", "P04")
REPORTER_CHANGED = ("C03", "D02", "P08")
FIRST_START = dt.date(2022, 6, 1)
CURRENT_START = dt.date(2024, 1, 2)
HANDOVER = dt.date(2025, 4, 1)
REPORTER_HANDOVER = dt.date(2025, 10, 9)


def _deputy_title(unit: UnitSpec) -> str:
    if unit.kind == UnitKind.COUNTY:
        return unit.head_title.replace("主任", "副主任")
    if unit.head_title in ("局长", "主任", "院长", "校长", "主席"):
        return "副" + unit.head_title
    return "分管信息工作负责人"


def build_people() -> People:
    """Everyone in every unit: same names, phones and dates on every run."""
    rng = random.Random(SEED)  # noqa: S311  (fixed demo data, not security)
    used: set[str] = set()
    result = People()
    serial = 0

    def name() -> str:
        while True:
            candidate = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
            if candidate not in used and candidate[1] != candidate[2]:
                used.add(candidate)
                return candidate

    def add(
        unit: UnitSpec,
        position: str,
        title: str,
        index: int,
        started: dt.date,
        ended: dt.date | None = None,
    ) -> None:
        nonlocal serial
        serial += 1
        key = f"{unit.code}-{position}-{index}"
        result.people.append(
            PersonSpec(
                key=key,
                unit_code=unit.code,
                name=name(),
                title=title,
                phone=f"139002{serial:05d}",
                office_phone=f"8{serial:06d}",
                email=f"{unit.code.lower()}.{position.replace('_', '')}{index}@{EMAIL_DOMAIN}",
                position=position,
                started_on=started,
                ended_on=ended,
            )
        )

    for unit in UNITS:
        if unit.code in HEAD_CHANGED:
            add(unit, Position.HEAD, unit.head_title, 9, FIRST_START, HANDOVER)
            add(unit, Position.HEAD, unit.head_title, 0, HANDOVER)
        else:
            add(unit, Position.HEAD, unit.head_title, 0, CURRENT_START)
        add(unit, Position.DEPUTY_IN_CHARGE, _deputy_title(unit), 0, CURRENT_START)
        if unit.code in REPORTER_CHANGED:
            add(unit, Position.REPORTER, "信息员", 9, FIRST_START, REPORTER_HANDOVER)
            add(unit, Position.REPORTER, "信息员", 0, REPORTER_HANDOVER)
        else:
            add(
                unit,
                Position.REPORTER,
                "信息科科长" if unit.reporters > 1 else "信息员",
                0,
                CURRENT_START,
            )
        for extra in range(1, unit.reporters):
            add(unit, Position.REPORTER, "信息员", extra, CURRENT_START)
    return result


def reporter_username(unit: UnitSpec) -> str:
    return f"reporter_{unit.slug}"
