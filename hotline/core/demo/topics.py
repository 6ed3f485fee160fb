"""What people call a county hotline about: topics with their category, responsible unit, mix
of request types and season. A topic is the seed's own notion; orders carry its category."""

from __future__ import annotations

from dataclasses import dataclass, field

# Lead "street" means the street or township office of the order's own area.
STREET = "street"

WINTER = {11: 3.0, 12: 4.0, 1: 4.0, 2: 3.0, 3: 1.5, 10: 1.2}
SUMMER = {6: 1.4, 7: 1.8, 8: 1.8, 9: 1.1}
# Relative weights of request types. More than half of all calls are questions (咨询), most of which
# the knowledge base answers at once; complaints and reports go to a unit.
DEFAULT_TYPES = {
    "inquiry": 125,
    "help": 20,
    "complaint": 22,
    "report": 4,
    "suggestion": 6,
    "praise": 2,
    "other": 2,
}


@dataclass(frozen=True)
class Topic:
    key: str
    name: str
    category: tuple[str, str, str]
    lead: str  # a unit code, or STREET
    weight: float
    keywords: tuple[str, ...]
    assisting: tuple[str, ...] = ()
    # Month → factor on the weight; months not named count 1. Off-season topics fade (not 0).
    season: dict[int, float] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    # Outages of water, power, gas and heating are where critical (特急) orders come from.
    critical_prone: bool = False

    def weight_in(self, month: int) -> float:
        return self.weight * self.season.get(month, 1.0)

    def type_weights(self) -> dict[str, int]:
        return {**DEFAULT_TYPES, **self.types}


def _off(months: dict[int, float], rest: float) -> dict[int, float]:
    return {m: months.get(m, rest) for m in range(1, 13)}


CITY_MGMT = ("城乡建设", "城市建设和市政管理")
HOUSING = ("城乡建设", "住房保障与房地产")
POLLUTION = ("环境保护", "环境污染")
INSURANCE = ("劳动和社会保障", "城镇居民社会保险")

TOPICS: list[Topic] = [
    Topic(
        "water",
        "供水",
        (*CITY_MGMT, "自来水供应"),
        "water",
        7,
        ("停水", "自来水", "水压", "供水", "水质", "水管"),
        season=SUMMER,
        types={"inquiry": 180, "help": 30, "complaint": 34},
        critical_prone=True,
    ),
    Topic(
        "power",
        "供电",
        (*CITY_MGMT, "电力供应"),
        "power",
        5,
        ("停电", "供电", "电压", "电费", "电线", "变压器"),
        season={**SUMMER, 1: 1.2, 12: 1.2},
        types={"inquiry": 180, "help": 30, "complaint": 32},
        critical_prone=True,
    ),
    Topic(
        "heating",
        "供暖",
        (*CITY_MGMT, "冬季采暖"),
        "heating",
        5,
        ("暖气", "供暖", "采暖", "供热", "取暖"),
        season=_off(WINTER, 0.08),
        types={"inquiry": 155, "complaint": 40, "help": 26},
        critical_prone=True,
    ),
    Topic(
        "gas",
        "燃气",
        (*CITY_MGMT, "燃气供应"),
        "gas",
        3,
        ("燃气", "天然气", "煤气", "燃气表"),
        season={11: 1.4, 12: 1.5, 1: 1.5, 2: 1.3},
        critical_prone=True,
    ),
    Topic(
        "sanitation",
        "环境卫生",
        (*CITY_MGMT, "环境卫生"),
        STREET,
        6,
        ("垃圾", "环境卫生", "卫生死角", "清运", "公厕", "脏乱"),
        assisting=("urban",),
        season={5: 1.2, 6: 1.3, 7: 1.4, 8: 1.4},
        types={"complaint": 45, "inquiry": 70},
    ),
    Topic(
        "enforcement",
        "占道经营",
        (*CITY_MGMT, "城管执法"),
        "urban",
        5,
        ("占道", "摊贩", "城管", "乱摆", "流动摊点", "广告牌"),
        season={5: 1.3, 6: 1.3, 7: 1.2, 8: 1.2},
        types={"complaint": 50, "report": 10, "inquiry": 25},
    ),
    Topic(
        "facilities",
        "市政设施",
        (*CITY_MGMT, "基础设施"),
        "housing",
        5,
        ("路灯", "井盖", "坑洼", "下水道", "排水", "人行道"),
        types={"inquiry": 100, "help": 30, "complaint": 30},
    ),
    Topic(
        "property",
        "物业服务",
        (*HOUSING, "物业服务"),
        "housing",
        6,
        ("物业", "业委会", "电梯", "停车费", "物业费"),
        assisting=(STREET,),
        types={"complaint": 45, "inquiry": 90},
    ),
    Topic(
        "realestate",
        "不动产办证",
        (*HOUSING, "房产证登记、办理"),
        "housing",
        3,
        ("房产证", "不动产", "交房", "开发商", "购房"),
        assisting=("land",),
        types={"complaint": 40, "inquiry": 80},
    ),
    Topic(
        "illegal_building",
        "违章建筑",
        ("城乡建设", "城乡规划", "违章建筑"),
        "urban",
        3,
        ("违建", "违章", "私搭", "乱建", "加盖"),
        assisting=("land",),
        types={"report": 30, "complaint": 40, "inquiry": 25},
    ),
    Topic(
        "noise",
        "噪音扰民",
        (*POLLUTION, "噪音污染"),
        "env",
        4,
        ("噪音", "噪声", "扰民", "施工", "音响"),
        season={5: 1.3, 6: 1.4, 7: 1.5, 8: 1.4},
        types={"complaint": 60, "inquiry": 25},
    ),
    Topic(
        "air",
        "大气污染",
        (*POLLUTION, "大气污染"),
        "env",
        3,
        ("烟尘", "异味", "油烟", "扬尘", "排放", "焚烧"),
        season={11: 1.4, 12: 1.3, 3: 1.2, 4: 1.3},
        types={"complaint": 50, "report": 15},
    ),
    Topic(
        "wages",
        "拖欠工资",
        ("劳动和社会保障", "劳动关系", "农民工权益"),
        "hrss",
        4,
        ("工资", "欠薪", "拖欠", "农民工", "工钱"),
        season={12: 2.5, 1: 2.8, 2: 1.5, 11: 1.4},
        types={"help": 40, "complaint": 40, "inquiry": 80},
    ),
    Topic(
        "pension",
        "养老保险",
        (*INSURANCE, "城乡居民养老保险"),
        "hrss",
        4,
        ("养老", "退休", "社保", "养老金", "缴费年限"),
        types={"inquiry": 145, "complaint": 12},
    ),
    Topic(
        "medical_insurance",
        "医疗保障",
        (*INSURANCE, "城镇居民医疗保险"),
        "medins",
        4,
        ("医保", "报销", "医疗保险", "异地就医", "参保"),
        season={9: 1.4, 10: 1.6, 11: 1.8, 12: 1.6},
        types={"inquiry": 145, "complaint": 12},
    ),
    Topic(
        "school",
        "入学与教学",
        ("教育文体", "教育行政管理", "教学管理"),
        "edu",
        4,
        ("学校", "入学", "学生", "老师", "教育", "学位", "校车"),
        season={1: 0.6, 2: 0.6, 6: 1.4, 7: 1.3, 8: 2.0, 9: 1.8},
    ),
    Topic(
        "school_fees",
        "教育收费",
        ("教育文体", "教育收费", "乱收费"),
        "edu",
        1.5,
        ("收费", "补课", "辅导费", "资料费"),
        season={3: 1.4, 9: 1.8},
        types={"complaint": 50, "report": 15, "inquiry": 45},
    ),
    Topic(
        "exam",
        "考试招生",
        ("教育文体", "考试招生", "招生录取"),
        "edu",
        1.5,
        ("高考", "中考", "招生", "录取", "考试"),
        season=_off({5: 1.5, 6: 4.0, 7: 3.0, 8: 1.5}, 0.3),
        types={"inquiry": 170, "complaint": 10},
    ),
    Topic(
        "medical",
        "医疗服务",
        ("卫生计生", "医政监管", "医疗技术和服务"),
        "health",
        3,
        ("医院", "医生", "看病", "诊所", "挂号", "疫苗"),
        types={"complaint": 40, "inquiry": 110},
    ),
    Topic(
        "food",
        "食品安全",
        ("卫生计生", "食品药品监管", "食品安全"),
        "market",
        3,
        ("食品", "过期", "餐馆", "变质", "饭店", "外卖"),
        season={6: 1.3, 7: 1.4, 8: 1.4},
        types={"complaint": 45, "report": 25},
    ),
    Topic(
        "consumer",
        "消费维权",
        ("商贸旅游", "市场监管", "物价监督"),
        "market",
        5,
        ("价格", "涨价", "消费", "商家", "退款", "质量", "欺诈"),
        types={"complaint": 55, "help": 15, "inquiry": 110},
    ),
    Topic(
        "traffic",
        "交通秩序",
        ("政法", "交通管理", "交通安全管理"),
        "police",
        4,
        ("违停", "交警", "红绿灯", "停车", "车辆", "超速"),
        types={"inquiry": 140, "complaint": 40, "suggestion": 15, "report": 10},
    ),
    Topic(
        "public_security",
        "社会治安",
        ("政法", "社会治安", "治安案件"),
        "police",
        2,
        ("治安", "诈骗", "盗窃", "打架", "赌博"),
        types={"report": 40, "help": 25, "complaint": 20},
    ),
    Topic(
        "hukou",
        "户籍证件",
        ("政法", "户籍证件", "户籍管理"),
        "police",
        3,
        ("户口", "身份证", "落户", "迁户", "居住证"),
        types={"inquiry": 170, "complaint": 10},
    ),
    Topic(
        "bus",
        "公交客运",
        ("交通运输", "客货运输", "旅客运输"),
        "transport",
        3,
        ("公交", "客运", "班车", "出租车", "司机"),
        season={1: 1.5, 2: 1.6, 10: 1.2},
        types={"complaint": 40, "suggestion": 15, "inquiry": 55},
    ),
    Topic(
        "road",
        "公路养护",
        ("交通运输", "建设管理", "设施维护"),
        "transport",
        3,
        ("公路", "道路", "修路", "路面", "桥"),
        season={4: 1.2, 5: 1.3, 7: 1.3, 8: 1.3},
        types={"help": 25, "complaint": 30, "suggestion": 15},
    ),
    Topic(
        "subsidies",
        "惠农补贴",
        ("农村农业", "惠农补贴", "粮食直补"),
        "agri",
        3,
        ("补贴", "补助", "农机", "种粮", "惠农"),
        assisting=(STREET,),
        season={3: 1.6, 4: 1.8, 5: 1.4, 10: 1.3},
        types={"inquiry": 125, "complaint": 25},
    ),
    Topic(
        "village_affairs",
        "村务管理",
        ("农村农业", "村务管理", "村务公开"),
        STREET,
        3,
        ("村委", "村干部", "村务", "集体", "村里"),
        types={"complaint": 45, "report": 20, "inquiry": 30},
    ),
    Topic(
        "land",
        "宅基地与承包地",
        ("农村农业", "土地承包经营", "宅基地纠纷"),
        STREET,
        2,
        ("宅基地", "土地", "承包", "耕地", "征地"),
        assisting=("land",),
        types={"help": 35, "complaint": 35},
    ),
    Topic(
        "social_assistance",
        "低保救助",
        ("民政", "社会救助", "城镇低保"),
        "civil",
        3,
        ("低保", "救助", "困难", "养老院", "残疾", "高龄"),
        assisting=(STREET,),
        season={1: 1.3, 12: 1.3},
        types={"inquiry": 100, "help": 30},
    ),
    Topic(
        "culture",
        "文化旅游",
        ("教育文体", "文化", "公共文化"),
        "tourism",
        1.5,
        ("旅游", "景区", "文化", "广场舞", "图书馆", "网吧"),
        season={5: 1.4, 10: 1.6, 2: 1.3},
        types={"suggestion": 20, "inquiry": 80},
    ),
    Topic(
        "flood",
        "防汛与水利",
        ("农村农业", "水利水电", "防汛抗旱"),
        "waterres",
        1.5,
        ("防汛", "河道", "水库", "洪水", "淤地坝", "灌溉"),
        season=_off({6: 2.0, 7: 4.0, 8: 4.0, 9: 2.0}, 0.4),
        types={"help": 35, "report": 15},
    ),
    Topic(
        "safety",
        "安全隐患",
        ("城乡建设", "安全生产", "安全隐患"),
        "emergency",
        2,
        ("安全隐患", "危险", "消防通道", "煤矿", "危房"),
        types={"report": 35, "help": 25},
    ),
    Topic(
        "neighbourhood",
        "社区事务",
        ("民政", "基层选举和社区建设", "社区建设"),
        STREET,
        3,
        ("社区", "邻居", "楼道", "居委会", "养狗"),
        types={"complaint": 35, "help": 25, "inquiry": 45},
    ),
]
TOPIC_BY_KEY = {t.key: t for t in TOPICS}
