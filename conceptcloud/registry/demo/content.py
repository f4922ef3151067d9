"""Who is in the demo and the hand-written demo content.

The organisations and accounts are the demo's cast: the NASA centres and U.S.
agencies (held by the `demo-curator` account, which nobody signs in as), a
fictional Japanese university TLO and SME, an inventor and the operator. The
assets and needs below are demo content written for the demo (docs/demo.md),
not real records; their references start with DEMO-.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from conceptcloud.accounts.services import OrganisationData, ProfileData
from conceptcloud.registry.demo.sources import CURATOR, DemoAsset, DemoNeed
from conceptcloud.registry.services import AssetData, NeedData

# The demo accounts' password: printed in the README and docs/demo.md, for a
# local demo only.
DEMO_PASSWORD = "conceptcloud-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    profile: ProfileData
    # False: a random password nobody knows (the curator is not for signing in).
    can_sign_in: bool = True
    operator: bool = False


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    admin: str  # username
    data: OrganisationData


ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        CURATOR,
        ProfileData(
            display_name="Demo data curator",
            country="US",
            languages=["en"],
            bio="Holds the demo's NASA and U.S. agency organisations and their records. Nobody signs in as this account.",
        ),
        can_sign_in=False,
    ),
    DemoAccount(
        "demo-tlo",
        ProfileData(
            display_name="デモ TLO 担当（Demo TLO staff）",
            affiliation="Demo University TLO",
            country="JP",
            languages=["ja", "en"],
            skills=["技術移転", "ライセンス交渉", "patent landscaping"],
            bio="デモ大学 TLO で大学発技術の移転を担当しています（デモ用の架空の人物です）。",
        ),
    ),
    DemoAccount(
        "demo-company",
        ProfileData(
            display_name="デモ精密工業 開発部（Demo Precision Works R&D）",
            affiliation="Demo Precision Works",
            country="JP",
            languages=["ja", "en"],
            skills=["精密加工", "表面処理", "metal additive manufacturing"],
            bio="精密部品メーカーで新技術の導入を担当しています（デモ用の架空の人物です）。",
        ),
    ),
    DemoAccount(
        "demo-inventor",
        ProfileData(
            display_name="デモ発明者（Demo inventor）",
            country="JP",
            languages=["ja", "en"],
            skills=["アイデア創出", "試作", "IoT"],
            bio="地域の資源を生かす発明に取り組む個人発明家です（デモ用の架空の人物です）。",
        ),
    ),
    DemoAccount(
        "demo-operator",
        ProfileData(display_name="Demo operator", country="JP", languages=["ja", "en"]),
        operator=True,
    ),
]


def _nasa(slug: str, name: str, place: str, website: str) -> DemoOrganisation:
    return DemoOrganisation(slug, CURATOR, OrganisationData(
        name=name,
        kind="government",
        country="US",
        website=website,
        description=(
            f"{place} Demo record: its technologies, software and patents here come from "
            "NASA's public technology-transfer listings and patent list."
        ),
    ))


def _agency(slug: str, name: str, website: str) -> DemoOrganisation:
    return DemoOrganisation(slug, CURATOR, OrganisationData(
        name=name,
        kind="government",
        country="US",
        website=website,
        description=(
            "Demo record: its needs here are the agency's SBIR/STTR solicitation topics of "
            "FY2008–2018, closed since, as published on SBIR.gov."
        ),
    ))


ORGANISATIONS: list[DemoOrganisation] = [
    _nasa("nasa-ames", "NASA Ames Research Center", "NASA field centre at Moffett Field, California.", "https://www.nasa.gov/ames/"),
    _nasa("nasa-glenn", "NASA Glenn Research Center", "NASA field centre in Cleveland, Ohio.", "https://www.nasa.gov/glenn/"),
    _nasa("nasa-goddard", "NASA Goddard Space Flight Center", "NASA field centre in Greenbelt, Maryland.", "https://www.nasa.gov/goddard/"),
    _nasa("nasa-jpl", "NASA Jet Propulsion Laboratory", "NASA's federally funded research centre in Pasadena, California, managed by Caltech.", "https://www.jpl.nasa.gov/"),
    _nasa("nasa-johnson", "NASA Johnson Space Center", "NASA field centre in Houston, Texas.", "https://www.nasa.gov/johnson/"),
    _nasa("nasa-kennedy", "NASA Kennedy Space Center", "NASA field centre on Merritt Island, Florida.", "https://www.nasa.gov/kennedy/"),
    _nasa("nasa-langley", "NASA Langley Research Center", "NASA field centre in Hampton, Virginia.", "https://www.nasa.gov/langley/"),
    _nasa("nasa-marshall", "NASA Marshall Space Flight Center", "NASA field centre in Huntsville, Alabama.", "https://www.nasa.gov/marshall/"),
    _nasa("nasa-stennis", "NASA Stennis Space Center", "NASA field centre in Hancock County, Mississippi.", "https://www.nasa.gov/stennis/"),
    _nasa("nasa-armstrong", "NASA Armstrong Flight Research Center", "NASA field centre at Edwards, California (the Dryden Flight Research Center until 2014).", "https://www.nasa.gov/armstrong/"),
    _nasa("nasa", "National Aeronautics and Space Administration (NASA)", "The U.S. space agency; records of NASA Headquarters and NASA's SBIR/STTR topics.", "https://www.nasa.gov/"),
    _agency("us-dod", "U.S. Department of Defense", "https://www.defense.gov/"),
    _agency("us-doe", "U.S. Department of Energy", "https://www.energy.gov/"),
    _agency("us-hhs", "U.S. Department of Health and Human Services", "https://www.hhs.gov/"),
    _agency("us-nsf", "U.S. National Science Foundation", "https://www.nsf.gov/"),
    _agency("us-doc", "U.S. Department of Commerce", "https://www.commerce.gov/"),
    _agency("us-usda", "U.S. Department of Agriculture", "https://www.usda.gov/"),
    _agency("us-dhs", "U.S. Department of Homeland Security", "https://www.dhs.gov/"),
    _agency("us-dot", "U.S. Department of Transportation", "https://www.transportation.gov/"),
    _agency("us-epa", "U.S. Environmental Protection Agency", "https://www.epa.gov/"),
    _agency("us-ed", "U.S. Department of Education", "https://www.ed.gov/"),
    DemoOrganisation("demo-university-tlo", "demo-tlo", OrganisationData(
        name="Demo University TLO（デモ大学 技術移転機関）",
        kind="tlo",
        country="JP",
        description=(
            "デモ用の架空の大学 TLO です。大学の研究成果をライセンスや共同研究で企業に橋渡しします。"
            " A fictional university technology licensing office for the demo."
        ),
    )),
    DemoOrganisation("demo-precision-works", "demo-company", OrganisationData(
        name="Demo Precision Works（デモ精密工業）",
        kind="sme",
        country="JP",
        description=(
            "デモ用の架空の精密部品メーカー（中小企業）です。新しい加工技術を探しています。"
            " A fictional Japanese precision-parts SME for the demo."
        ),
    )),
]

TLO = "demo-university-tlo"
SME = "demo-precision-works"

DEMO_ASSETS: list[DemoAsset] = [
    DemoAsset("demo-assets", "demo-tlo", AssetData(
        kind="technology",
        language="ja",
        owner_org=TLO,
        reference="DEMO-TLO-001",
        title="竹由来セルロースナノファイバーの低エネルギー製造法",
        summary=(
            "放置竹林の竹を原料に、従来の機械解繊より少ないエネルギーでセルロースナノファイバー（CNF）を"
            "製造する方法です。酵素による前処理と低圧の湿式粉砕を組み合わせ、樹脂の補強材や化粧品の増粘剤に"
            "使える品質の CNF を得ます。"
        ),
        details=(
            "【技術の概要】竹チップを酵素で前処理してから低圧の湿式粉砕にかけることで、解繊に必要な"
            "エネルギーを抑えます。\n"
            "【想定用途】樹脂の補強材、化粧品・食品の増粘剤、紙の強度向上剤。\n"
            "【開発段階】実験室規模で試作済み。量産設備の設計はこれからです。\n"
            "【提供条件】非独占ライセンス、または共同研究。"
        ),
        trl=4,
        sdgs=[9, 12, 15],
        keywords=["セルロースナノファイバー", "竹", "バイオマス", "省エネルギー"],
        countries_developed=["JP"],
        availability=["licence", "collaboration"],
    )),
    DemoAsset("demo-assets", "demo-tlo", AssetData(
        kind="technology",
        language="en",
        owner_org=TLO,
        visibility="confidential",
        reference="DEMO-TLO-002",
        title="Battery-free soil-moisture sensors for terraced rice paddies",
        summary=(
            "Soil-moisture sensors that power themselves from the water flowing between terraces and "
            "report over a low-power mesh network, so hillside farmers see which paddies need water. "
            "Details under NDA; offered for licence."
        ),
        details=(
            "The harvester is a 12 mm micro-turbine seated in the overflow notch between terraces; at a "
            "head of 5 cm it yields about 2 mW, enough for one reading and one mesh hop every ten minutes. "
            "The electrodes are printed carbon on a biodegradable PLA carrier, calibrated per soil type "
            "with a three-point curve stored on the node."
        ),
        trl=5,
        sdgs=[2, 6],
        keywords=["soil moisture", "energy harvesting", "smart agriculture", "mesh network"],
        countries_developed=["JP"],
        availability=["licence"],
    )),
    DemoAsset("demo-assets", "demo-tlo", AssetData(
        kind="know-how",
        language="ja",
        owner_org=TLO,
        visibility="members",
        reference="DEMO-TLO-003",
        title="大学発技術のライセンス交渉チェックリスト",
        summary="大学 TLO が企業とライセンス契約を結ぶ前に確かめておきたい項目の一覧です。",
        details=(
            "1. 実施料の算定根拠（売上比例か一時金か、最低実施料の有無）\n"
            "2. 改良発明の帰属と、大学が研究・教育に使う権利の留保\n"
            "3. サブライセンスの可否と条件\n"
            "4. 独占か非独占か、独占なら実施義務と期限\n"
            "5. 共同出願人がいる場合の持分と同意"
        ),
        sdgs=[17],
        keywords=["ライセンス", "技術移転", "契約"],
        countries_developed=["JP"],
        availability=["open"],
    )),
    DemoAsset("demo-assets", "demo-inventor", AssetData(
        kind="idea",
        language="ja",
        reference="DEMO-INV-001",
        title="雪室の冷熱で小規模データセンターを冷やす",
        summary=(
            "豪雪地帯で冬に集めた雪を断熱倉庫（雪室）に貯え、その冷熱で夏のサーバー室を冷やすアイデアです。"
            "冷房の電力を減らし、除雪で出る雪を地域の資源に変えます。"
        ),
        details=(
            "雪 1 トンが融けるときに吸収する熱は約 93 kWh 分です。除雪で集まる雪を雪室に貯えれば、"
            "夏の冷房負荷のかなりの部分をまかなえる見込みです。断熱材と融雪水の熱交換器の設計、"
            "サーバー室との距離が課題で、実証に協力してくれる自治体や事業者を探しています。"
        ),
        sdgs=[7, 9, 13],
        keywords=["雪冷熱", "データセンター", "再生可能エネルギー"],
        countries_developed=["JP"],
        availability=["collaboration"],
    )),
    DemoAsset("demo-assets", "demo-inventor", AssetData(
        kind="lesson",
        language="ja",
        reference="DEMO-INV-002",
        title="失敗からの教訓：海藻由来ストローの量産化でつまずいた理由",
        summary=(
            "海藻由来の生分解性ストローを、試作から月産 10 万本の量産に広げようとして失敗した記録と原因の分析です。"
            "乾燥工程の湿度管理と、原料の季節による変動を見落としていました。"
        ),
        details=(
            "【挑戦】手作業の試作では品質が安定していたため、乾燥炉を導入して量産に移りました。\n"
            "【起きたこと】梅雨の時期に不良率が 4 割を超え、出荷が止まりました。\n"
            "【原因の分析】1. 乾燥炉の湿度を測っていなかった。2. 収穫時期で海藻のアルギン酸量が変わることを"
            "配合に反映していなかった。3. 小ロットの試作で工程能力を確かめないまま設備を買った。\n"
            "【次に挑む人へ】量産の前に、季節をまたいだ試作と工程ごとの測定を。"
        ),
        sdgs=[12, 14],
        keywords=["失敗事例", "海藻", "生分解性", "量産化"],
        countries_developed=["JP"],
        availability=["open"],
    )),
    DemoAsset("demo-assets", "demo-inventor", AssetData(
        kind="idea",
        language="en",
        reference="DEMO-INV-003",
        title="Gear bearings for small run-of-river hydro turbines",
        summary=(
            "Combine NASA's gear bearing (case GSC-TOPS-12 in this demo) with a low-head micro-hydro turbine: "
            "one compact drive train instead of a gearbox and separate bearings, for village-scale power "
            "from mountain streams."
        ),
        details=(
            "Micro-hydro sets of 1–10 kW lose efficiency and fail most often in the gearbox and its bearings. "
            "A gear bearing carries the load and transmits the torque in one unit, which should make the drive "
            "shorter, easier to seal against water and cheaper to maintain. First step: a 2 kW test rig."
        ),
        sdgs=[7],
        keywords=["micro-hydro", "gear bearing", "rural electrification"],
        countries_developed=["JP"],
        availability=["collaboration"],
    )),
    DemoAsset("demo-assets", "demo-company", AssetData(
        kind="technology",
        language="ja",
        owner_org=SME,
        reference="DEMO-SME-001",
        title="レーザーと放電を組み合わせた微細穴加工",
        summary=(
            "直径 0.1 mm 以下の微細穴を、レーザーで下穴を開けてから放電加工で仕上げることで、"
            "放電加工だけの方法より短い時間で加工します。燃料噴射ノズルや医療機器の部品に向きます。"
        ),
        details=(
            "下穴をレーザーで開けておくことで、放電加工の電極の消耗と加工時間を減らします。"
            "加工の受託と、装置の組み合わせ方のライセンスの両方に応じます。"
        ),
        trl=7,
        sdgs=[9],
        keywords=["微細加工", "レーザー加工", "放電加工"],
        countries_developed=["JP"],
        availability=["sale", "licence"],
    )),
]


def demo_needs(*, today: date) -> list[DemoNeed]:
    """The hand-written open needs; their deadlines count from the day of loading."""
    return [
        DemoNeed("demo-needs", "demo-company", NeedData(
            title="金属 3D プリント部品の表面を滑らかにする後処理技術を探しています",
            description=(
                "当社は金属積層造形（粉末床溶融結合）でチタン合金の部品を作っています。造形したままの表面粗さ"
                "（Ra 10〜15 µm）を Ra 1.6 µm 以下に下げる後処理技術を探しています。複雑な内部流路にも使えることが"
                "条件です。ライセンス、共同開発のどちらも検討します。"
            ),
            seeker_org=SME,
            sdgs=[9, 12],
            countries=["JP"],
            sector="製造業（精密部品）",
            deal_types=["licence", "collaboration"],
            budget_min=3_000_000,
            budget_max=10_000_000,
            budget_currency="JPY",
            deadline=today + timedelta(days=180),
            reference="DEMO-SME-N01",
        )),
        DemoNeed("demo-needs", "demo-company", NeedData(
            title="Lightweight corrosion-resistant coating for outdoor aluminium housings",
            description=(
                "We make aluminium housings for roadside sensors in coastal areas. We need a thin, chromate-free "
                "coating that survives 1,000 hours of salt spray without pitting and keeps the housing's heat "
                "dissipation. We will licence a proven technology or develop one with a research partner."
            ),
            seeker_org=SME,
            sdgs=[9, 12],
            countries=["JP"],
            sector="Manufacturing",
            deal_types=["licence", "collaboration"],
            budget_min=5_000_000,
            budget_max=20_000_000,
            budget_currency="JPY",
            deadline=today + timedelta(days=120),
            reference="DEMO-SME-N02",
        )),
        DemoNeed("demo-needs", "demo-tlo", NeedData(
            title="竹 CNF 製造技術の事業化パートナーを募集します",
            description=(
                "デモ大学 TLO は、竹由来セルロースナノファイバーの低エネルギー製造法（このデモに登録済み）を"
                "事業にする企業を探しています。量産設備の設計、用途開発（樹脂の補強材・化粧品）、販売のいずれかを"
                "担える企業との共同研究や合弁を歓迎します。"
            ),
            seeker_org=TLO,
            sdgs=[9, 12, 15],
            countries=["JP"],
            sector="素材",
            deal_types=["collaboration", "joint-venture"],
            deadline=today + timedelta(days=240),
            reference="DEMO-TLO-N01",
        )),
    ]
