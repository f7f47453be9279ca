"""Hand-written public posts of the demo city, as the monitor would collect them.

Nothing here is fetched: the office network is closed, so the demo hands these entries to the
monitor's store as its poller would. A history template's text has ``{county}``, ``{town}``,
``{road}``, ``{village}``, ``{n}``, ``{m}`` and ``{hour}`` fields (``str.format``), filled from
the post's place and a seeded draw, so that the same template told of two places reads as two
posts. The burst is written out in full: a flood rumour at 望江镇 that floods the last hour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSpec:
    key: str
    name: str
    kind: str  # a monitor SourceKind value
    url: str
    interval_minutes: int


SOURCES = (
    SourceSpec(
        "news", "澜江新闻网·本地", "feed", "https://news.lanjiang.example/rss/local.xml", 30
    ),
    SourceSpec(
        "gov", "澜江市人民政府网·政务动态", "feed", "https://www.lanjiang.example/zwdt/rss.xml", 60
    ),
    SourceSpec(
        "jiangwan", "江湾融媒", "feed", "https://media.jiangwan.lanjiang.example/feed.xml", 30
    ),
    SourceSpec("bbs", "澜江论坛·民生热线", "feed", "https://bbs.lanjiang.example/forum-12/rss", 20),
    SourceSpec("life", "澜江生活圈", "feed", "https://life.lanjiang.example/feed.xml", 30),
    SourceSpec(
        "qingping",
        "青屏县人民政府网·通知公告",
        "page",
        "https://www.qingping.lanjiang.example/tzgg/",
        120,
    ),
)

#: The watchlist, by term kind (monitor TermKind values).
TERMS = {
    "keyword": ("积水", "内涝", "交通事故", "食堂", "停水", "欠薪", "塌方"),
    "place": ("望江镇", "临港镇", "青屏县", "幸福里社区"),
    "unit": ("市应急管理局", "市市场监管局"),
    "sensitive": ("聚集",),
}


@dataclass(frozen=True)
class PostTemplate:
    sources: tuple[str, ...]
    title: str
    text: str


def _t(sources: str, title: str, text: str) -> PostTemplate:
    return PostTemplate(tuple(sources.split()), title, text)


HISTORY = (
    _t(
        "bbs life",
        "{town}{road}路口又出交通事故了",
        "今天早上{hour}点多，{county}{town}{road}路口一辆电动车和小轿车相撞，骑车的大哥摔伤了腿，"
        "已经被120拉走。这个路口没有红绿灯，上下学高峰车特别多，希望有关部门装个信号灯。",
    ),
    _t(
        "bbs",
        "{county}某小学食堂饭菜分量少，家长有意见",
        "孩子回家说学校食堂中午的菜越来越少，肉基本看不到，一个月交{n}元伙食费。"
        "{county}的家长们在群里都在讨论，想问问教育部门有没有人管，食堂账目能不能公开。",
    ),
    _t(
        "bbs life",
        "{town}{village}停水两天了，什么时候能来水？",
        "{county}{town}{village}从前天下午开始停水，到现在还没来。村里老人多，"
        "每天要到{m}里外的井里挑水。打了自来水公司电话，说是主管网维修，但没说哪天修好。",
    ),
    _t(
        "news jiangwan",
        "{county}开展汛前隐患排查",
        "为做好今年防汛工作，{county}组织水利、应急、住建等部门对辖区{n}处山塘水库、"
        "{m}公里堤防和城区易积水点开展拉网式排查，发现隐患{hour}处，已全部建立整改台账，"
        "明确责任人和完成时限。",
    ),
    _t(
        "gov",
        "市应急管理局召开安全生产形势分析会",
        "近日，市应急管理局召开全市安全生产形势分析会，通报前{hour}个月全市安全生产情况，"
        "部署危险化学品、道路交通、建筑施工等重点行业领域专项整治。会议要求各地压实属地责任，"
        "对排查出的{n}项重大隐患实行挂牌督办。",
    ),
    _t(
        "news gov",
        "{county}举办“春风行动”专场招聘会",
        "{county}人社部门在{town}举办“春风行动”专场招聘会，{n}家企业提供岗位{m}00余个，"
        "涵盖制造、物流、家政等行业，现场达成就业意向{hour}0余人。",
    ),
    _t(
        "bbs",
        "{county}一工地拖欠农民工工资，工友讨薪无门",
        "我们在{county}{road}一处在建小区干了大半年，老板欠了{n}个工友的工资，加起来{m}十多万。"
        "找项目部说总包没给钱，找总包说等结算。快过节了，大家都等着钱回家。",
    ),
    _t(
        "life",
        "{town}新开的菜市场人气旺",
        "{county}{town}新建的农贸市场本周开业，{n}个摊位基本满租，市场设了公平秤和农残快检点，"
        "附近居民说买菜不用再跑{m}公里去老街了。",
    ),
    _t(
        "news jiangwan",
        "{county}{town}老旧小区改造完工",
        "{county}{town}{road}片区{n}个老旧小区改造工程近日完工，更新供水管网{m}公里，"
        "加装电梯{hour}部，新增停车位三百余个，居民出行和生活条件明显改善。",
    ),
    _t(
        "bbs life",
        "{town}这段路塌方了，大家绕行",
        "{county}{town}往{village}去的村道今天上午有一段边坡塌方，土石堆了半边路，"
        "小车勉强能过，大车过不去。已经有人打了电话，交通局的人说马上来处理。",
    ),
    _t(
        "gov",
        "市市场监管局开展校园食品安全检查",
        "市市场监管局联合教育部门对全市{n}所中小学、幼儿园食堂开展食品安全专项检查，"
        "重点检查原料进货查验、留样和从业人员健康证明，发现问题{hour}个，已责令限期整改。",
    ),
    _t(
        "news",
        "{county}农村公路“白改黑”工程过半",
        "{county}今年实施农村公路提质改造{n}公里，目前已完成过半。{town}至{village}段完工后，"
        "群众到镇上的车程将由{m}分钟缩短到一刻钟左右。",
    ),
    _t(
        "bbs",
        "{road}夜市噪音扰民谁来管",
        "{county}{road}的夜市每天开到凌晨{hour}点，烧烤油烟和喇叭声吵得楼上住户没法睡觉。"
        "打过好几次热线，城管来了就收，走了又摆。希望能划个固定区域，定个收摊时间。",
    ),
    _t(
        "life",
        "周末去{town}看油菜花",
        "{county}{town}{village}的{n}亩油菜花进入盛花期，村里修了观景步道和停车场，"
        "周末游客不少。建议错峰出行，村口到景区的路比较窄。",
    ),
    _t(
        "news jiangwan",
        "{county}开展防汛应急演练",
        "{county}在{town}澜江堤段开展防汛应急演练，模拟堤防管涌险情处置和群众转移，"
        "水利、应急、消防等{n}支队伍{m}0余人参加，检验了预案的可操作性。",
    ),
    _t(
        "bbs life",
        "下雨天{town}{road}积水老问题",
        "每次下大一点的雨，{county}{town}{road}靠近菜场那段就积水，深的地方没过脚踝，"
        "电动车只能推着走。这个问题反映好几年了，排水管是不是该疏通了？",
    ),
    _t(
        "gov",
        "{county}召开民生实事推进会",
        "{county}召开今年民生实事项目推进会，{n}项民生实事已完成投资{m}亿元，"
        "其中城区排水防涝改造、农村饮水安全巩固提升等项目进度超过时序。",
    ),
    _t(
        "bbs",
        "{town}卫生院排队太久",
        "带老人去{county}{town}卫生院看病，挂号、缴费、拿药每一处都要排队，前后花了{hour}个多小时。"
        "能不能开通手机缴费，或者多开一个窗口？",
    ),
    _t(
        "life",
        "{county}图书馆新馆开放",
        "{county}图书馆新馆正式对外开放，馆藏图书{n}万册，设有少儿阅览区和自习区，"
        "开放时间延长到晚上{hour}点，周末读者很多。",
    ),
    _t(
        "news",
        "{county}查处一批食品安全违法案件",
        "{county}市场监管部门通报近期查处的{n}起食品安全违法案件，涉及超范围使用食品添加剂、"
        "销售过期食品等，共罚没{m}万余元。",
    ),
)

#: One of these ends each history post (a comment, a follow-up, the reporter's last line), so
#: that a template told twice reads as two posts, not as a repost.
TAILS = (
    "有网友留言说，这种情况去年就有过。",
    "记者将持续关注后续进展。",
    "楼下有人回复：已经打过12345，等答复。",
    "附近居民表示希望尽快解决。",
    "相关负责人表示，将在一周内给出处理意见。",
    "跟帖里不少人说自己也遇到过。",
    "本帖已被版主推荐到首页。",
    "截至发稿时，现场秩序正常。",
    "有知情人说，有关部门上午已经来看过了。",
    "评论区有人贴出了热线的受理回执。",
    "当地社区工作人员表示会向上反映。",
    "这件事在本地几个微信群里也有人转。",
    "下一步，有关部门将建立长效机制。",
    "也有网友认为情况没有帖子说得那么严重。",
    "据了解，类似问题在周边也不同程度存在。",
    "有家长建议学校每周公开菜谱和采购票据。",
    "楼主后来补充了几张现场照片。",
    "网友“江边老李”回复：支持，早该管管了。",
    "记者现场看到，已有工作人员在维护秩序。",
    "有关部门电话回访时称已经登记。",
    "不少网友在帖子下面点赞支持。",
    "活动现场还设置了政策咨询台。",
    "据介绍，相关工作将在月底前全部完成。",
    "网友纷纷留言为家乡点赞。",
)

#: The places the history is told of: (county, its towns). 江湾区 and 望江镇 are weighted in
#: by the writer, so that the burst stands on a flat but visible baseline.
ROADS = ("人民路", "解放路", "江滨大道", "建设路", "文化路", "新华路", "码头路", "长青路")
VILLAGES = ("杨家湾村", "枫树村", "新华村", "团结村", "桂花村", "竹林村", "河口村", "茶园村")

#: The page source's versions (a notice page that changed once).
PAGE_VERSIONS = (
    (
        "青屏县关于做好汛期地质灾害防范工作的通知",
        "各乡镇人民政府、县直有关单位：入汛以来我县降雨偏多，为切实做好地质灾害防范工作，"
        "现就有关事项通知如下：一、加强隐患点巡查，二、落实群测群防，三、严格值班值守。",
    ),
    (
        "青屏县关于做好汛期地质灾害防范工作的补充通知",
        "各乡镇人民政府、县直有关单位：根据气象部门最新预报，未来三天我县有强降雨过程。"
        "请双河镇、石门乡对辖区隐患点实行二十四小时巡查，必要时提前转移受威胁群众。",
    ),
)


@dataclass(frozen=True)
class BurstPost:
    source: str
    minutes_before: int  # before the signal's scan
    title: str
    text: str


#: A flood rumour at 望江镇: within the hour before the scan, one post after another.
BURST = (
    BurstPost(
        "bbs",
        56,
        "望江镇老街积水快到膝盖了",
        "雨从中午下到现在没停过，望江镇老街靠码头那一片积水快到膝盖，几家铺子进了水，"
        "店主在往外舀水。有没有人知道排涝泵站开了没有？",
    ),
    BurstPost(
        "life",
        51,
        "望江镇下暴雨，小区地库进水",
        "望江镇滨江花园地下车库开始进水，物业在群里通知业主赶紧把车开到地面上，"
        "小区门口的路已经看不到路沿了。",
    ),
    BurstPost(
        "bbs",
        47,
        "听说望江镇的江堤溃口了？？",
        "朋友圈都在转，说望江镇江堤溃口了，让住低处的赶紧往高处走。有没有望江镇本地的出来说说，"
        "到底是真是假？家里老人吓得不行。",
    ),
    BurstPost(
        "jiangwan",
        44,
        "望江镇启动防汛应急响应，镇村干部上岗值守",
        "受持续强降雨影响，望江镇启动防汛四级应急响应，全镇86名镇村干部分片上岗，"
        "对老街、码头等低洼地段开展巡查，组织抽排积水。",
    ),
    BurstPost(
        "life",
        39,
        "望江镇码头路现在过不去了，大家绕行",
        "刚从望江镇码头路过来，中间一段积水太深，两辆小车熄火停在水里，交警在路口拦车，"
        "去轮渡的可以从镇政府后面的新街绕过去。",
    ),
    BurstPost(
        "bbs",
        33,
        "望江镇溃堤是谣言吧，我就在堤上",
        "我家就在望江镇江堤边，刚上堤看了，水位是涨了不少，但堤好好的，有干部和民兵在巡堤。"
        "大家别乱转了，越传越吓人。",
    ),
    BurstPost(
        "news",
        27,
        "望江镇部分路段积水 相关部门正在抽排",
        "记者从江湾区了解到，受强降雨影响，望江镇老街、码头路等低洼路段出现积水，"
        "区城管、水务部门已调派移动泵车赶赴现场抽排，暂无人员受伤报告。",
    ),
    BurstPost(
        "life",
        21,
        "望江镇菜场边上的老房子墙塌了一角",
        "望江镇菜场后面那排老房子，有一户的院墙被雨泡塌了一角，砖头掉在巷子里，"
        "还好当时没人经过。社区的人已经拉了警戒带。",
    ),
    BurstPost(
        "bbs",
        14,
        "望江镇停电了吗？我们这片全黑",
        "望江镇新街这边半小时前突然停电，手机信号也时有时无，有人说是变电箱进水了跳闸，"
        "供电所电话一直占线。",
    ),
)

#: The rumour reposted word for word elsewhere: a group of reposts beside the post.
REPOST_OF = 2
REPOSTS = (("life", 45), ("news", 41))

#: A few posts collected after the scan (collection goes on).
AFTER = (
    BurstPost(
        "jiangwan",
        -15,
        "江湾区：网传“望江镇江堤溃口”不实",
        "江湾区防汛指挥部发布消息：网传“望江镇江堤溃口”系不实信息。目前望江镇江堤运行正常，"
        "巡堤人员全天值守，请广大群众不信谣、不传谣，以官方发布为准。",
    ),
)
