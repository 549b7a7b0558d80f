"""Word lists the name matcher uses: legal forms, generic words, places, Chinese company words.

All entries are written in the folded form that :mod:`chipcontrol.screening.text` produces
(lower case ASCII, punctuation removed, tokens separated by single spaces).
"""

from __future__ import annotations

# --- legal forms (dropped before scoring; shown in the explanation) -----------------------------
# Multi-token phrases first; the tagger matches the longest phrase at each position.
LEGAL_FORMS: frozenset[str] = frozenset(
    """
    co ltd|co limited|company limited|company ltd|co inc|corp ltd|pte ltd|pvt ltd|private limited
    public limited company|limited liability company|limited liability partnership|limited company
    joint stock company|public joint stock company|open joint stock company|closed joint stock company
    joint stock co|stock company|holding company|co lp|l l c|l l p|l p|s a|s a s|s a c|s r l|s p a|s a r l
    s l|s a de c v|sa de cv|s de r l|b v|n v|a g|a s|a b|k k|s r o|sp z o o|sp zoo|z o o|d o o|d d
    sdn bhd|gmbh co kg|gmbh und co kg|co kg|kabushiki kaisha|kabushiki gaisha|yugen kaisha|godo kaisha
    gesellschaft mit beschrankter haftung|aktiengesellschaft|kommanditgesellschaft
    societe anonyme|societe a responsabilite limitee|societe par actions simplifiee
    sociedad anonima|sociedad limitada|sociedad de responsabilidad limitada|sociedade anonima
    societa per azioni|societa a responsabilita limitata|besloten vennootschap|naamloze vennootschap
    obshchestvo s ogranichennoi otvetstvennostiu|obshchestvo s ogranichennoi otvetstvennostyu
    aktsionernoe obshchestvo|publichnoe aktsionernoe obshchestvo|zakrytoe aktsionernoe obshchestvo
    otkrytoe aktsionernoe obshchestvo|federalnoe gosudarstvennoe unitarnoe predpriiatie
    tovarystvo z obmezhenoiu vidpovidalnistiu|jusighoesa|yuhanhoesa|anonim sirketi|limited sirketi
    youxian gongsi|gufen youxian gongsi|youxian zeren gongsi|jituan youxian gongsi
    co|corp|corporation|company|companies|inc|incorporated|ltd|limited|llc|llp|lp|plc|pte|pvt|pty
    gmbh|ag|kg|kgaa|ug|ohg|mbh|ev|sa|sas|sarl|srl|spa|sl|slu|bv|nv|vof|ab|oy|oyj|asa|aps
    kk|sdn|bhd|tbk|pt|fze|fzco|fzc|fzllc|fz|dmcc|eurl|ltda|cia|sac|eirl|kft|zrt|nyrt|bt|sro|as
    doo|dd|ad|ead|ood|eood|srl|sc|scs|ooo|oao|zao|pao|ao|nao|jsc|pjsc|cjsc|ojsc|fgup|gup|mup|tov|pp
    tzov|jv|sae|spc|wll|saog|saoc|bsc|psc|ltee|inc ltd|kabushikigaisha|yk|gk|pte ltd co
    """.replace("\n", "|").split("|")
) - {""}
LEGAL_FORMS = frozenset(p.strip() for p in LEGAL_FORMS if p.strip())

# --- stop words (dropped) -----------------------------------------------------------------------
STOPWORDS: frozenset[str] = frozenset(
    "and the of for in on at by to a an de la le les el los las del des du di da do dos das y e et und "
    "fur der die das van von aka fka also known as formerly".split()
)

# --- generic industry / organisation words (down-weighted) --------------------------------------
# canonical form -> variants. Every variant maps to the canonical token.
_GENERIC_GROUPS: dict[str, str] = {
    "technology": "technology technologies tech techs technological technologie technologii tekhnologii "
    "tekhnologiya teknoloji tecnologia tecnologias technik keji jishu",
    "science": "science sciences scientific scientifique nauchno nauchnyi nauchnoe kexue",
    "development": "development developments develop dev fazhan kaifa razvitiya razvitie",
    "electronic": "electronic electronics electron elektronik elektronika electronique electronica dianzi",
    "electric": "electric electrical electro elektro dianqi",
    "information": "information informatics info informatsionnye xinxi",
    "international": "international intl internacional internationale mezhdunarodnyi guoji",
    "group": "group groups grupo gruppa gruppe groupe jituan",
    "industry": "industry industries industrial industrie industria industriya promyshlennaya shiye chanye "
    "gongye",
    "holding": "holding holdings holdco kholding konggu",
    "trading": "trading trade trader traders commerce commercial trade maoyi jinchukou torgovyi",
    "import": "import imports importing",
    "export": "export exports exporting",
    "research": "research researches issledovatelskii yanjiu",
    "institute": "institute institutes institut instituto istituto institution yanjiusuo yanjiuyuan",
    "university": "university universities universitet universidad universite universita daxue",
    "academy": "academy academies akademiya academie kexueyuan",
    "college": "college colleges",
    "school": "school schools",
    "center": "center centre centers centres centr tsentr",
    "engineering": "engineering engineers engineer gongcheng",
    "system": "system systems sistemy systemy xitong",
    "software": "software ruanjian",
    "network": "network networks networking wangluo",
    "communication": "communication communications comm comms telecom telecommunication telecommunications "
    "telecoms tongxin tongxun",
    "semiconductor": "semiconductor semiconductors bandaoti",
    "microelectronic": "microelectronic microelectronics weidianzi",
    "optoelectronic": "optoelectronic optoelectronics guangdian",
    "integrated": "integrated jicheng",
    "circuit": "circuit circuits dianlu",
    "chip": "chip chips",
    "computer": "computer computers computing jisuanji",
    "equipment": "equipment equipments shebei zhuangbei",
    "instrument": "instrument instruments",
    "manufacturing": "manufacturing manufacture manufacturer manufacturers mfg zhizao",
    "machinery": "machinery machine machines",
    "material": "material materials",
    "service": "service services servicing",
    "solution": "solution solutions",
    "logistics": "logistics",
    "enterprise": "enterprise enterprises predpriyatie qiye",
    "investment": "investment investments",
    "global": "global worldwide",
    "shipping": "shipping",
    "energy": "energy energies nengyuan",
    "power": "power dianli",
    "chemical": "chemical chemicals chemistry",
    "aviation": "aviation hangkong",
    "aerospace": "aerospace hangtian",
    "defense": "defense defence",
    "national": "national natsionalnyi",
    "state": "state",
    "laboratory": "laboratory laboratories lab labs",
    "bureau": "bureau",
    "department": "department dept",
    "ministry": "ministry",
    "branch": "branch branches fengongsi",
    "office": "office offices",
    "factory": "factory factories plant zavod",
    "precision": "precision",
    "optical": "optical optics",
    "digital": "digital",
    "data": "data",
    "intelligent": "intelligent intelligence smart",
    "artificial": "artificial",
    "automation": "automation automatic",
    "robotics": "robotics robotic robot robots",
    "new": "new",
    "high": "high hi",
    "advanced": "advanced",
    "general": "general",
    "number": "no number nr",
    "cloud": "cloud",
    "physics": "physics physical",
    "mechanical": "mechanical",
    "scientific": "scientific",
    "products": "products product",
    "devices": "devices device",
    "import export": "",
    "sales": "sales sale",
    "supply": "supply supplies supplier suppliers",
    "agency": "agency",
    "association": "association",
    "design": "design designs",
    "security": "security",
    "industrial park": "",
}

GENERIC_CANON: dict[str, str] = {}
for _canon, _variants in _GENERIC_GROUPS.items():
    if " " in _canon:
        continue
    GENERIC_CANON[_canon] = _canon
    for _v in _variants.split():
        GENERIC_CANON.setdefault(_v, _canon)

# --- places (down-weighted like generic words) --------------------------------------------------
PLACES: frozenset[str] = frozenset(
    """
    china prc chinese peoples republic beijing shanghai shenzhen guangzhou tianjin chongqing wuhan chengdu xian
    nanjing hangzhou suzhou wuxi qingdao xiamen hefei changsha jinan zhengzhou shenyang harbin dalian
    changchun dongguan foshan ningbo fuzhou kunming nanchang nanning taiyuan shijiazhuang lanzhou
    guiyang hohhot urumqi yinchuan xining lhasa haikou zhuhai mianyang baotou luoyang xiangtan zhuzhou
    yantai weihai zibo tangshan baoding changzhou nantong kunshan jiangyin hong kong hongkong macau macao
    taiwan taipei jiangsu zhejiang guangdong shandong sichuan hubei hunan hebei henan fujian anhui
    shaanxi shanxi liaoning jilin heilongjiang yunnan guizhou guangxi xinjiang inner mongolia jiangxi
    hainan gansu ningxia qinghai tibet haidian chaoyang pudong zhongguancun
    russia russian moscow moskva st petersburg saint sankt peterburg novosibirsk yekaterinburg kazan
    nizhny novgorod samara omsk chelyabinsk rostov ufa krasnoyarsk perm voronezh volgograd
    belarus minsk ukraine kiev kyiv iran tehran iranian pakistan karachi lahore islamabad india indian
    delhi mumbai uae dubai emirates arab united abu dhabi sharjah turkey istanbul ankara syria damascus
    lebanon beirut iraq baghdad afghanistan kabul korea korean north south pyongyang seoul japan tokyo
    singapore malaysia kuala lumpur thailand bangkok vietnam hanoi armenia yerevan georgia tbilisi
    kazakhstan almaty kyrgyzstan bishkek uzbekistan tashkent germany german berlin munich hamburg france
    paris united kingdom uk london america american usa us canada toronto netherlands amsterdam
    cyprus limassol nicosia estonia latvia lithuania finland sweden italy spain egypt cairo israel
    asia pacific europe european eurasia middle east asian far eastern western northern southern central
    """.split()
)

# --- Chinese company words: Han word -> folded English tokens ("" = legal form, dropped) ----------
# Traditional-character forms included where they differ.
HAN_WORDS: dict[str, str] = {
    "控股": "holding",
    "集团": "group",
    "集團": "group",
    # industry words
    "科技": "technology",
    "技术": "technology",
    "技術": "technology",
    "信息": "information",
    "資訊": "information",
    "资讯": "information",
    "电子": "electronic",
    "電子": "electronic",
    "微电子": "microelectronic",
    "微電子": "microelectronic",
    "光电": "optoelectronic",
    "光電": "optoelectronic",
    "通信": "communication",
    "通讯": "communication",
    "通訊": "communication",
    "半导体": "semiconductor",
    "半導體": "semiconductor",
    "集成电路": "integrated circuit",
    "積體電路": "integrated circuit",
    "芯片": "chip",
    "晶片": "chip",
    "研究所": "research institute",
    "研究院": "research institute",
    "研究中心": "research center",
    "研究": "research",
    "科学院": "academy science",
    "科學院": "academy science",
    "学院": "college",
    "學院": "college",
    "大学": "university",
    "大學": "university",
    "中心": "center",
    "实验室": "laboratory",
    "實驗室": "laboratory",
    "工业": "industry",
    "工業": "industry",
    "产业": "industry",
    "產業": "industry",
    "实业": "industry",
    "實業": "industry",
    "国际": "international",
    "國際": "international",
    "贸易": "trading",
    "貿易": "trading",
    "进出口": "import export",
    "進出口": "import export",
    "发展": "development",
    "發展": "development",
    "开发": "development",
    "開發": "development",
    "软件": "software",
    "軟件": "software",
    "軟體": "software",
    "网络": "network",
    "網絡": "network",
    "数据": "data",
    "數據": "data",
    "智能": "intelligent",
    "人工智能": "artificial intelligent",
    "系统": "system",
    "系統": "system",
    "设备": "equipment",
    "設備": "equipment",
    "装备": "equipment",
    "裝備": "equipment",
    "仪器": "instrument",
    "儀器": "instrument",
    "航空": "aviation",
    "航天": "aerospace",
    "计算机": "computer",
    "計算機": "computer",
    "电脑": "computer",
    "電腦": "computer",
    "机器人": "robotics",
    "機器人": "robotics",
    "制造": "manufacturing",
    "製造": "manufacturing",
    "工程": "engineering",
    "电气": "electric",
    "電氣": "electric",
    "电力": "power",
    "電力": "power",
    "能源": "energy",
    "机械": "machinery",
    "機械": "machinery",
    "材料": "material",
    "化学": "chemical",
    "化學": "chemical",
    "化工": "chemical",
    "物理": "physics",
    "精密": "precision",
    "光学": "optical",
    "光學": "optical",
    "数字": "digital",
    "數字": "digital",
    "云": "cloud",
    "雲": "cloud",
    "服务": "service",
    "服務": "service",
    "投资": "investment",
    "投資": "investment",
    "分公司": "branch",
    "工厂": "factory",
    "工廠": "factory",
    "新": "new",
    # places
    "中国": "china",
    "中國": "china",
    "中华人民共和国": "china",
    "北京": "beijing",
    "上海": "shanghai",
    "深圳": "shenzhen",
    "广州": "guangzhou",
    "廣州": "guangzhou",
    "天津": "tianjin",
    "重庆": "chongqing",
    "重慶": "chongqing",
    "武汉": "wuhan",
    "武漢": "wuhan",
    "成都": "chengdu",
    "西安": "xian",
    "南京": "nanjing",
    "杭州": "hangzhou",
    "苏州": "suzhou",
    "蘇州": "suzhou",
    "无锡": "wuxi",
    "無錫": "wuxi",
    "青岛": "qingdao",
    "青島": "qingdao",
    "厦门": "xiamen",
    "廈門": "xiamen",
    "合肥": "hefei",
    "长沙": "changsha",
    "長沙": "changsha",
    "济南": "jinan",
    "濟南": "jinan",
    "郑州": "zhengzhou",
    "鄭州": "zhengzhou",
    "沈阳": "shenyang",
    "瀋陽": "shenyang",
    "哈尔滨": "harbin",
    "哈爾濱": "harbin",
    "大连": "dalian",
    "大連": "dalian",
    "长春": "changchun",
    "長春": "changchun",
    "绵阳": "mianyang",
    "綿陽": "mianyang",
    "珠海": "zhuhai",
    "东莞": "dongguan",
    "東莞": "dongguan",
    "宁波": "ningbo",
    "寧波": "ningbo",
    "香港": "hong kong",
    "澳门": "macau",
    "澳門": "macau",
    "台湾": "taiwan",
    "台灣": "taiwan",
    "臺灣": "taiwan",
    "江苏": "jiangsu",
    "江蘇": "jiangsu",
    "浙江": "zhejiang",
    "广东": "guangdong",
    "廣東": "guangdong",
    "山东": "shandong",
    "山東": "shandong",
    "四川": "sichuan",
    "湖北": "hubei",
    "湖南": "hunan",
    "河北": "hebei",
    "河南": "henan",
    "福建": "fujian",
    "安徽": "anhui",
    "陕西": "shaanxi",
    "陝西": "shaanxi",
    "山西": "shanxi",
    "辽宁": "liaoning",
    "遼寧": "liaoning",
    "吉林": "jilin",
    "黑龙江": "heilongjiang",
    "黑龍江": "heilongjiang",
    "云南": "yunnan",
    "雲南": "yunnan",
    "贵州": "guizhou",
    "貴州": "guizhou",
    "广西": "guangxi",
    "廣西": "guangxi",
    "新疆": "xinjiang",
    "内蒙古": "inner mongolia",
    "江西": "jiangxi",
    "海南": "hainan",
    "甘肃": "gansu",
    "甘肅": "gansu",
    "海淀": "haidian",
    "浦东": "pudong",
    "浦東": "pudong",
}

# Han legal forms -> folded legal-form token
HAN_LEGAL: dict[str, str] = {
    "股份有限公司": "joint stock co ltd",
    "有限责任公司": "limited liability company",
    "有限責任公司": "limited liability company",
    "有限公司": "co ltd",
    "股份公司": "joint stock company",
    "株式会社": "kabushiki kaisha",
    "有限会社": "yugen kaisha",
    "合伙企业": "partnership",
    "总公司": "corporation",
    "總公司": "corporation",
    "公司": "company",
    "有限": "limited",
    "股份": "joint stock",
}

HAN_MAX_WORD = max(len(w) for w in (*HAN_WORDS, *HAN_LEGAL))

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
}
CHINESE_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
