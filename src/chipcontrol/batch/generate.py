"""Synthetic shipment files that look like an exporter's order records, for tests and benchmarks.

Lines come from a pool of customers (a name, one or two sites, a headquarters country and a buying profile), drawn
with a long tail as real order books are: a few large customers, many small ones. About 10 % of customers are real
Entity List, MEU or 1260H names from the bundled lists (Huawei, Inspur, Sugon, SMIC, ... and a seeded sample), the
rest invented. A customer's profile is what an order file carries for it: the end user's headquarters (not known
for about one customer in nine), a purchaser when it buys through a distributor, its parent or (rarely) a listed
company, an ultimate consignee (a hosting provider, the customer itself), freight forwarders as intermediate
consignees, and for about one customer in five its direct owners — holding companies, and for some listed owners:
``Huawei International Pte. Ltd.=51``, two listed owners reaching 55 % together, 49.99 % against 50 %.
Items are catalogue chips (popular datacenter parts most often) plus a few inline JSON specs (an IC, a server
under 4A090, an HBM stack, one without a datasheet). Destinations are weighted across country groups (A:5,
D:1/D:4/D:5, China with Hong Kong and Macau, embargoed destinations, Ukraine with its regions); dates are uniform
from 2022-10-07 to ``until``. Exporters follow the item's vendor (NVIDIA and AMD themselves under several spellings,
OEMs and distributors; sometimes not recorded). Reexports sometimes say where the item was made; a few lines carry
answers to the engine's questions. ``malformed`` is the share of lines given one defect (unknown country,
impossible date, bad quantity, unknown chip, bad owner percentage, ...). Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl

from chipcontrol.catalog import Catalog
from chipcontrol.errors import InvalidInput
from chipcontrol.rules.ruleset import EARLIEST
from chipcontrol.screening import bundled_snapshots

_POPULAR = (
    "NVIDIA H100 SXM5 80GB", "NVIDIA H20 (HGX)", "NVIDIA A100 SXM4 80GB", "NVIDIA H200 SXM 141GB",
    "NVIDIA L40S", "NVIDIA B200 (HGX, per GPU)", "NVIDIA A800 SXM4 80GB", "NVIDIA H800 SXM5", "NVIDIA L20",
    "NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090 D", "NVIDIA A30", "NVIDIA L4", "NVIDIA H100 PCIe 80GB",
    "AMD Instinct MI300X", "AMD Instinct MI308X", "AMD Instinct MI250X", "AMD Instinct MI325X",
    "Intel Gaudi 3 (HL-325L OAM)", "Intel Gaudi 2 HL-225B (China)", "NVIDIA GB200 (per Blackwell GPU)",
    "NVIDIA RTX 6000 Ada Generation", "NVIDIA Tesla T4", "NVIDIA GeForce RTX 5090 D",
)
_SPECS = (
    {"name": "Example X1", "vendor": "Example Corp", "datacenter": True, "dense_tops": {"fp16": 148, "fp8": 296},
     "die_area_mm2": 814, "io_bandwidth_gbs": 900, "memory_bandwidth_gbs": 4000},
    {"name": "Edge Inference Card E2", "vendor": "Example Corp", "datacenter": False, "dense_tops": {"int8": 120},
     "die_area_mm2": 350},
    {"name": "HGX-8 H100 server", "vendor": "Example Systems", "item_type": "computer",
     "accelerator": "NVIDIA H100 SXM5 80GB", "accelerator_count": 8},
    {"name": "HBM3E 12-high stack", "vendor": "Example Memory", "item_type": "hbm",
     "memory_bandwidth_density": 2.5},
    {"name": "Mid-range accelerator M5", "vendor": "Example Corp", "datacenter": True, "dense_tops": {"fp16": 60},
     "die_area_mm2": 600, "memory_bandwidth_gbs": 1600},
    {"name": "Accelerator Z (no datasheet)", "vendor": "Example Corp", "dense_tops": {"fp8": 2000},
     "die_area_mm2": 700},
)
# destination weights: (country, weight, legal form used for invented names)
_COUNTRIES = (
    ("US", 14, "Inc."), ("CN", 10, "Co., Ltd."), ("HK", 2, "Limited"), ("MO", 0.5, "Limitada"),
    ("TW", 5, "Co., Ltd."), ("SG", 5, "Pte. Ltd."), ("JP", 5, "K.K."), ("KR", 4, "Co., Ltd."), ("DE", 5, "GmbH"),
    ("GB", 4, "Ltd"), ("FR", 3, "S.A.S."), ("NL", 3, "B.V."), ("IE", 1, "Limited"), ("SE", 1, "AB"),
    ("IN", 4, "Private Limited"), ("AE", 3, "LLC"), ("SA", 2, "LLC"), ("IL", 1.5, "Ltd"), ("MY", 3, "Sdn. Bhd."),
    ("VN", 2, "JSC"), ("TH", 1, "Co., Ltd."), ("ID", 1, "PT"), ("BR", 2, "Ltda."), ("MX", 1.5, "S.A. de C.V."),
    ("CA", 3, "Inc."), ("AU", 2, "Pty Ltd"), ("TR", 1, "A.S."), ("PK", 0.5, "Pvt Ltd"), ("KZ", 0.5, "LLP"),
    ("RU", 1, "OOO"), ("BY", 0.3, "OOO"), ("IR", 0.2, "Co."), ("VE", 0.2, "C.A."), ("KP", 0.05, "Corp."),
    ("CU", 0.05, "S.A."), ("SY", 0.05, "LLC"), ("UA", 0.4, "LLC"),
)
# regions of Ukraine a site may be in (746.6 covers Crimea, Donetsk, Luhansk), "" not recorded
_UA_REGIONS = (("UA-30", 5), ("UA-46", 2), ("UA-43", 1), ("UA-14", 1), ("", 2))
_BASKET = 16  # most products one customer buys
_HUBS = ("SG", "TW", "MY", "NL", "DE", "KR", "JP", "MX")
_CN_PARENT_OK = {"SG", "MY", "VN", "TH", "AE", "HK", "MO", "ID", "KZ", "IN"}
_WORDS_A = ("Nordic", "Helios", "Apex", "Blue Harbor", "Quantum Leaf", "Kestrel", "Orion", "Atlas", "Vega",
            "Granite", "Silverline", "Lumen", "Cobalt", "Evergreen", "Polaris", "Redwood", "Nimbus", "Tidewater",
            "Summit", "Aurora", "Falcon Ridge", "Meridian", "Pinecrest", "Starling", "Zephyr", "Harbor Point")
_WORDS_B = ("Data Systems", "Compute", "Cloud", "AI Labs", "Research", "Networks", "Robotics", "Analytics",
            "Digital", "Informatics", "Vision", "Simulation")
_LISTED_FIXED = (("Huawei Technologies Co., Ltd.", "CN"), ("Inspur Electronic Information Industry Co., Ltd.", "CN"),
                 ("Sugon", "CN"), ("Semiconductor Manufacturing International Corporation (SMIC)", "CN"),
                 ("National University of Defense Technology", "CN"), ("Biren Technology", "CN"),
                 ("Moore Threads Technology Co., Ltd.", "CN"))
_EXPORTERS = {
    "NVIDIA": (("NVIDIA", 4), ("NVIDIA Corporation", 2), ("NVIDIA Singapore Pte. Ltd.", 1), ("Supermicro", 2),
               ("Dell Technologies", 1.5), ("Arrow Electronics", 1), ("", 1)),
    "AMD": (("AMD", 3), ("Advanced Micro Devices, Inc.", 2), ("Hewlett Packard Enterprise", 1.5),
            ("Arrow Electronics", 1), ("", 1)),
    "": (("Arrow Electronics", 2), ("Avnet", 2), ("Dell Technologies", 1), ("Hewlett Packard Enterprise", 1),
         ("", 2)),
}
_DISTRIBUTORS = (
    ("Arrowhead Compute Distribution Pte. Ltd.", "SG"), ("Pacific Rim Systems Integration Sdn. Bhd.", "MY"),
    ("EuroCompute Distribution GmbH", "DE"), ("Lowlands IT Supply B.V.", "NL"), ("Gulf Data Trading LLC", "AE"),
    ("Nihon HPC Solutions K.K.", "JP"), ("Hanbit Server Co., Ltd.", "KR"), ("Formosa Server Supply Co., Ltd.", "TW"),
    ("Bharat Compute Private Limited", "IN"), ("Northstar Systems Inc.", "US"), ("Pioneer Channel Partners Inc.", "US"),
    ("Brit Compute Ltd", "GB"), ("Andes Tecnologia Ltda.", "BR"), ("Mekong Digital Trading JSC", "VN"),
    ("Siam Server Supply Co., Ltd.", "TH"), ("Anatolia Bilisim A.S.", "TR"), ("Riyadh Advanced Systems LLC", "SA"),
    ("Shenzhen Huaxin Electronics Trading Co., Ltd.", "CN"), ("Kowloon Bay Components Limited", "HK"),
    ("Great Wall Server Trading Co., Ltd.", "CN"))
_FORWARDERS = (
    "Kestrel Logistics Pte. Ltd.", "Straits Freight Forwarding Pte. Ltd.", "Rhine Air Cargo GmbH",
    "Schiphol Forwarding B.V.", "Jebel Ali Freight LLC", "Harbourfront Logistics Limited",
    "Incheon Air Cargo Co., Ltd.",
    "Taoyuan Express Logistics Co., Ltd.", "Penang Freight Services Sdn. Bhd.", "Laredo Cross-Border Logistics LLC",
    "Narita Cargo Services K.K.", "Polaris Global Forwarding Inc.")
# listed companies that appear as purchasers or consignees (bundled lists)
_LISTED_PARTIES = ("Huawei International Pte. Ltd.", "Sugon",
                   "Inspur (Beijing) Electronic Information Industry Co., Ltd.",
                   "Semiconductor Manufacturing International Corporation (SMIC)")
# direct owners of an end user that include listed parties: (owners, weight); HOLD stands for an invented holding
_LISTED_OWNERS = (
    ("Huawei International Pte. Ltd.=51;HOLD=49", 3), ("Huawei Technologies Co., Ltd.=30;Inspur Group Co., Ltd.=25;"
                                                       "HOLD=45", 2),
    ("Sugon=49.99;HOLD=50.01", 2), ("Sugon=50;HOLD=50", 2), ("Huawei International Pte. Ltd.=20;HOLD=80", 2),
    ("Semiconductor Manufacturing International Corporation (SMIC)=100", 1))
_ANSWERS = ("end_user.majority_owned_by_d5=no", "item.us_available_2026_01_15=yes", "shipment.within_lpp_cap=yes",
            "item.direct_product=yes", "item.datacenter=yes", "end_user.listed_ownership=no",
            "item.us_content_above_de_minimis=no")
_DEFECTS = (("destination", "XX"), ("date", "2023-02-30"), ("date", "2021-05-01"), ("quantity", "ten"),
            ("quantity", "0"), ("chip", "NVIDIA H999 Ultra"), ("end_use", "crypto mining"), ("destination", ""),
            ("date", "07/03/2024"), ("line_id", ""), ("owners", "Kestrel Holdings Ltd.=sixty"),
            ("owners", "Kestrel Holdings Ltd.=60;Vega Holdings Ltd.=50"), ("answers", "headquarters"),
            ("made_in", "XX"), ("region", "UA-99"))


def _customers(rng: np.random.Generator, n_clean: int, n_listed: int) -> tuple[list[str], list[str], list[str]]:
    codes = [c for c, _, _ in _COUNTRIES]
    weights = np.array([w for _, w, _ in _COUNTRIES], dtype=float)
    forms = {c: f for c, _, f in _COUNTRIES}
    names: list[str] = []
    countries: list[str] = []
    hqs: list[str] = []
    seen: set[str] = set()
    picks = rng.choice(len(codes), size=n_clean, p=weights / weights.sum())
    for k in picks:
        c = codes[k]
        while True:
            name = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)} {forms[c]}"
            if name not in seen:
                break
            name = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)} {forms[c]}"
            if name not in seen:
                break
        seen.add(name)
        r = rng.random()
        hq = c if r < 0.72 else ("" if r < 0.83 else ("CN" if c in _CN_PARENT_OK else "US"))
        names.append(name)
        countries.append(c)
        hqs.append(hq)
    pool = [(e.name, e.country_code) for s in bundled_snapshots() for e in s.entries
            if e.list_id in ("entity_list", "meu", "1260h") and e.country_code]
    sample = [pool[i] for i in rng.choice(len(pool), size=max(0, n_listed - len(_LISTED_FIXED)), replace=False)]
    for name, cc in (*_LISTED_FIXED, *sample):
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
        countries.append(str(cc))
        hqs.append(str(cc) if rng.random() < 0.75 else "")
    return names, countries, hqs


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    w = np.array([x for _, x in options], dtype=float)
    return str(options[int(rng.choice(len(options), p=w / w.sum()))][0])


def _profiles(rng: np.random.Generator, names: list[str], countries: list[str]) -> dict[str, list[str]]:
    """Per customer: purchaser, ultimate consignee, intermediate consignees, owners (text cells, "" if none)."""
    forms = {c: f for c, _, f in _COUNTRIES}
    out: dict[str, list[str]] = {"purchaser": [], "ultimate_consignee": [], "intermediate_consignee": [],
                                 "owners": []}
    for name, c in zip(names, countries, strict=True):
        form = forms.get(c, "Ltd.")
        stem = name.split()[0]
        holding = f"{stem} {rng.choice(_WORDS_A)} Holdings {form}"
        r = rng.random()
        near = [d for d, dc in _DISTRIBUTORS if dc == c] or [d for d, _ in _DISTRIBUTORS]
        out["purchaser"].append("" if r < 0.55 else str(rng.choice(near)) if r < 0.86 else
                                holding if r < 0.985 else str(rng.choice(_LISTED_PARTIES)))
        r = rng.random()
        out["ultimate_consignee"].append("" if r < 0.62 else name if r < 0.72 else
                                         f"{rng.choice(_WORDS_A)} Hosting {form}" if r < 0.995 else
                                         str(rng.choice(_LISTED_PARTIES)))
        r = rng.random()
        out["intermediate_consignee"].append(
            "" if r < 0.8 else str(rng.choice(_FORWARDERS)) if r < 0.97 else
            ";".join(str(f) for f in rng.choice(_FORWARDERS, size=2, replace=False)))
        r = rng.random()
        if r < 0.84:
            owners = ""
        elif r < 0.95:
            owners = f"{holding}=100" if rng.random() < 0.6 else f"{holding}=60;{stem} Founders Trust {form}=40"
        else:
            owners = _pick(rng, _LISTED_OWNERS).replace("HOLD", holding)
        out["owners"].append(owners)
    return out


def _choice(rng: np.random.Generator, options: tuple[tuple[str, float], ...], size: int) -> np.ndarray:
    w = np.array([x for _, x in options], dtype=float)
    return rng.choice(np.array([o for o, _ in options], dtype=object), size=size, p=w / w.sum())


def generate_shipments(n: int, *, seed: int = 0, until: dt.date | None = None, malformed: float = 0.0,
                       spec_share: float = 0.03, customers: int = 1500) -> pl.DataFrame:
    """``n`` synthetic shipment lines with the documented input columns (all text)."""
    if n < 0:
        raise InvalidInput("the number of lines must not be negative")
    if not 0 <= malformed <= 1:
        raise InvalidInput("malformed must be a share between 0 and 1")
    end = until or dt.date.today()
    if end < EARLIEST:
        raise InvalidInput("until must not be before 2022-10-07")
    rng = np.random.default_rng(seed)
    names, countries, hqs = _customers(rng, int(customers * 0.9), customers - int(customers * 0.9))
    nc = len(names)
    profile = _profiles(rng, names, countries)
    # long tail: customer k drawn with weight 1/(k+1)^0.9, in a seeded order
    cw = 1.0 / np.power(np.arange(1, nc + 1), 0.9)
    cw = cw[rng.permutation(nc)]
    cust = rng.choice(nc, size=n, p=cw / cw.sum())
    cust_s = pl.Series(np.array(names, dtype=object)[cust], dtype=pl.String)
    # each customer has a main site and, for one in five, a second site in another country
    all_codes = np.array([c for c, _, _ in _COUNTRIES], dtype=object)
    cw_codes = np.array([w for _, w, _ in _COUNTRIES], dtype=float)
    second = rng.choice(all_codes, size=nc, p=cw_codes / cw_codes.sum())
    has_second = rng.random(nc) < 0.2
    site_region = _choice(rng, _UA_REGIONS, nc)
    dest = np.array(countries, dtype=object)[cust]
    at_second = has_second[cust] & (rng.random(n) < 0.3)
    dest[at_second] = second[cust][at_second]
    region = np.where((dest == "UA") & ~at_second, site_region[cust], "").astype(object)
    hq = np.array(hqs, dtype=object)[cust]
    # origin: mostly exports from the US, some reexports from hubs, a few in-country transfers
    r = rng.random(n)
    origin = np.where(r < 0.88, "US", rng.choice(np.array(_HUBS, dtype=object), size=n)).astype(object)
    origin[r >= 0.98] = dest[r >= 0.98]
    # where a reexported item was made, when the record says so
    r = rng.random(n)
    made_in = np.full(n, "", dtype=object)
    abroad = origin != "US"
    made_in[abroad & (r < 0.35)] = "US"
    made_in[abroad & (r >= 0.35) & (r < 0.5)] = "TW"
    # items
    cat = Catalog.load()
    popular = [k for k in _POPULAR if cat.get(k) is not None]
    rest = [e.key for e in cat.all() if e.key not in popular]
    keys = popular + rest
    iw = np.concatenate([np.full(len(popular), 30.0) / np.arange(1, len(popular) + 1) ** 0.5,
                         np.full(len(rest), 0.25)])
    # each customer buys from its own basket of products (a few to a dozen), popular parts most often
    pw = iw / iw.sum()
    size = np.minimum(2 + rng.poisson(4, size=nc), _BASKET)
    basket = np.full((nc, _BASKET), -1, dtype=np.int64)
    bw = np.zeros((nc, _BASKET))
    for c in range(nc):
        picked = rng.choice(len(keys), size=int(size[c]), replace=False, p=pw)
        basket[c, : len(picked)] = picked
        bw[c, : len(picked)] = pw[picked]
    cum = np.cumsum(bw, axis=1)
    cum /= cum[:, -1:]
    slot = (rng.random(n)[:, None] > cum[cust]).sum(axis=1)
    item = basket[cust, np.minimum(slot, size[cust] - 1)]
    chip = np.array(keys, dtype=object)[item]
    vendor_of = {e.key: e.vendor for e in cat.all()}
    vendors = np.array([vendor_of.get(k, "") for k in keys], dtype=object)[item]
    spec_col = np.full(n, "", dtype=object)
    is_spec = rng.random(n) < spec_share
    spec_texts = np.array([json.dumps(s, sort_keys=True) for s in _SPECS], dtype=object)
    spec_col[is_spec] = rng.choice(spec_texts, size=int(is_spec.sum()))
    chip[is_spec] = ""
    # exporters follow the vendor; a customer mostly buys a vendor's parts through one channel
    exporter = np.full(n, "", dtype=object)
    for vendor, options in _EXPORTERS.items():
        mask = (vendors == vendor) if vendor else ~np.isin(vendors, [v for v in _EXPORTERS if v])
        channel = _choice(rng, options, nc)[cust[mask]]
        other = _choice(rng, options, int(mask.sum()))
        exporter[mask] = np.where(rng.random(int(mask.sum())) < 0.75, channel, other)
    qty = np.exp(rng.uniform(0, np.log(2048), size=n)).astype(np.int64).astype(str).astype(object)
    qty[rng.random(n) < 0.05] = ""
    r = rng.random(n)
    end_use = np.full(n, "", dtype=object)
    end_use[r < 0.025] = "supercomputer"
    end_use[(r >= 0.025) & (r < 0.032)] = "advanced_node_fab"
    end_use[(r >= 0.032) & (r < 0.035)] = "supercomputer;advanced_node_fab"
    end_use[(r >= 0.035) & (r < 0.037)] = "military"
    # answers to the engine's questions, on a few lines
    r = rng.random(n)
    answers = np.full(n, "", dtype=object)
    answered = r < 0.025
    answers[answered] = rng.choice(np.array(_ANSWERS, dtype=object), size=int(answered.sum()))
    no_hq = (hq == "") & (r >= 0.025) & (r < 0.06)
    answers[no_hq] = "end_user.headquarters=" + dest[no_hq]
    days = rng.integers(0, (end - EARLIEST).days + 1, size=n)
    cols = {c: pl.Series(np.array(v, dtype=object)[cust], dtype=pl.String) for c, v in profile.items()}
    df = pl.DataFrame({
        "line_id": pl.Series(np.arange(n)), "chip": pl.Series(chip, dtype=pl.String),
        "spec": pl.Series(spec_col, dtype=pl.String), "quantity": pl.Series(qty, dtype=pl.String),
        "destination": pl.Series(dest, dtype=pl.String), "origin": pl.Series(origin, dtype=pl.String),
        "end_user": cust_s, "end_user_hq": pl.Series(hq, dtype=pl.String),
        "exporter": pl.Series(exporter, dtype=pl.String), "end_use": pl.Series(end_use, dtype=pl.String),
        "days": pl.Series(days), **cols, "made_in": pl.Series(made_in, dtype=pl.String),
        "region": pl.Series(region, dtype=pl.String), "answers": pl.Series(answers, dtype=pl.String)})
    # the second site of a customer has no consignee of its own in the record
    df = df.with_columns(pl.when(pl.Series(at_second)).then(pl.lit("")).otherwise(pl.col("ultimate_consignee"))
                         .alias("ultimate_consignee"))
    df = df.with_columns(
        pl.format("S{}-{}", pl.lit(seed), pl.col("line_id").cast(pl.String).str.zfill(9)).alias("line_id"),
        (pl.lit(EARLIEST) + pl.duration(days=pl.col("days"))).dt.strftime("%Y-%m-%d").alias("date"),
    ).drop("days")
    if malformed > 0 and n:
        bad = np.flatnonzero(rng.random(n) < malformed)
        kinds = rng.integers(0, len(_DEFECTS), size=len(bad))
        for k, (col, value) in enumerate(_DEFECTS):
            mask = np.zeros(n, dtype=bool)
            mask[bad[kinds == k]] = True
            if mask.any():
                df = df.with_columns(pl.when(pl.Series(mask)).then(pl.lit(value)).otherwise(pl.col(col)).alias(col))
    return df.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                           for c in df.columns if c != "line_id").select(
        "line_id", "chip", "spec", "quantity", "destination", "origin", "end_user", "end_user_hq", "exporter",
        "end_use", "date", "purchaser", "ultimate_consignee", "intermediate_consignee", "owners", "made_in", "region",
        "answers")


def write_frame(df: pl.DataFrame, path: str | Path) -> None:
    """Write a frame as CSV or Parquet, by the file's extension."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        df.write_parquet(p)
    elif suffix == ".csv":
        df.write_csv(p)
    else:
        raise InvalidInput(f"{p.name}: use a .csv or .parquet file name")


def write_shipments(path: str | Path, n: int, *, seed: int = 0, until: dt.date | None = None,
                    malformed: float = 0.0) -> int:
    """Generate ``n`` lines into ``path`` (.csv or .parquet); returns the number of lines written."""
    if Path(path).suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InvalidInput(f"{Path(path).name}: use a .csv or .parquet file name")
    df = generate_shipments(n, seed=seed, until=until, malformed=malformed)
    write_frame(df, path)
    return df.height
