"""Layer kinds: field aliases, user mappings, value normalisation and the errors for bad values."""
from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ecogis.errors import EcogisError
from ecogis.kinds import KINDS, match_fields, resolve_kind
from ecogis.layers import normalise_layer
from ecogis.vocabularies import (
    CONTROL_LEVELS,
    ZONES,
    normalise_control_level,
    normalise_outfall_type,
    normalise_shoreline_type,
    normalise_water_source_grade,
    normalise_zone,
)
from ecogis.water_class import WATER_CLASSES, class_rank, meets_target, normalise_water_class


def _points(n, **columns):
    return gpd.GeoDataFrame(columns, geometry=[shapely.Point(121.8 + i / 100, 40.9) for i in range(n)],
                            crs="EPSG:4490")


# --- value tables written out by hand --------------------------------------------------------------

WATER_CLASS_TABLE = [
    ("Ⅰ", "Ⅰ"), ("I", "Ⅰ"), ("1", "Ⅰ"), (1, "Ⅰ"), ("一类", "Ⅰ"), ("Ⅰ类", "Ⅰ"),
    ("Ⅱ", "Ⅱ"), ("ii", "Ⅱ"), ("二类", "Ⅱ"), ("II类水质", "Ⅱ"),
    ("Ⅲ", "Ⅲ"), ("III", "Ⅲ"), (3.0, "Ⅲ"), ("三类", "Ⅲ"), ("Class III", "Ⅲ"),
    ("Ⅳ", "Ⅳ"), ("IV", "Ⅳ"), ("iv", "Ⅳ"), ("4", "Ⅳ"), (4, "Ⅳ"), ("4.0", "Ⅳ"), ("四类", "Ⅳ"),
    ("Ⅳ类", "Ⅳ"), ("IV类", "Ⅳ"), (" Ⅳ ", "Ⅳ"), ("４", "Ⅳ"), ("四", "Ⅳ"),
    ("Ⅴ", "Ⅴ"), ("V", "Ⅴ"), ("5", "Ⅴ"), ("五类", "Ⅴ"), ("Ⅴ类", "Ⅴ"),
    ("劣Ⅴ", "劣Ⅴ"), ("劣V", "劣Ⅴ"), ("劣五类", "劣Ⅴ"), ("劣Ⅴ类", "劣Ⅴ"), ("劣5", "劣Ⅴ"),
    ("劣v类", "劣Ⅴ"),
]


@pytest.mark.parametrize("raw, expected", WATER_CLASS_TABLE)
def test_water_class_spellings(raw, expected):
    assert normalise_water_class(raw) == expected


@pytest.mark.parametrize("raw", ["Ⅵ", "6", "劣Ⅳ", "good", "A", "0", "ⅣⅤ"])
def test_unknown_water_class_lists_allowed(raw):
    with pytest.raises(EcogisError) as err:
        normalise_water_class(raw)
    for cls in ("Ⅰ", "Ⅲ", "劣Ⅴ"):
        assert cls in str(err.value)


@pytest.mark.parametrize("raw", [None, float("nan"), "", "  ", pd.NA])
def test_missing_water_class_is_none(raw):
    assert normalise_water_class(raw) is None


def test_class_rank_and_compliance():
    assert [class_rank(c) for c in WATER_CLASSES] == [1, 2, 3, 4, 5, 6]
    assert class_rank("IV") == 4 and class_rank("劣五类") == 6
    assert meets_target("Ⅲ", "IV") is True
    assert meets_target("四类", "Ⅳ") is True
    assert meets_target("V", "Ⅳ") is False
    assert meets_target("劣V", "Ⅴ") is False
    assert meets_target(None, "Ⅳ") is None


ZONE_TABLE = [
    ("核心区", "核心区"), ("核心", "核心区"), ("core", "核心区"), ("Core Zone", "核心区"), ("CORE", "核心区"),
    ("缓冲区", "缓冲区"), ("缓冲", "缓冲区"), ("buffer", "缓冲区"), ("Buffer zone", "缓冲区"),
    ("实验区", "实验区"), ("实验", "实验区"), ("experimental", "实验区"), ("试验区", "实验区"),
    ("核心保护区", "核心保护区"), ("core protection zone", "核心保护区"),
    ("一般控制区", "一般控制区"), ("general control zone", "一般控制区"), ("一般控制", "一般控制区"),
]


@pytest.mark.parametrize("raw, expected", ZONE_TABLE)
def test_zone_spellings(raw, expected):
    assert normalise_zone(raw) == expected


def test_zones_constant():
    assert ZONES == ("核心区", "缓冲区", "实验区", "核心保护区", "一般控制区")


@pytest.mark.parametrize("raw, expected", [
    ("国控", "国控"), ("国考", "国控"), ("国家级", "国控"), ("national", "国控"),
    ("省控", "省控"), ("省考", "省控"), ("省级", "省控"), ("Provincial", "省控"),
    ("市控", "市控"), ("市考", "市控"), ("市级", "市控"), ("municipal", "市控"),
])
def test_control_levels(raw, expected):
    assert normalise_control_level(raw) == expected
    assert CONTROL_LEVELS == ("国控", "省控", "市控")


def test_other_vocabularies():
    assert normalise_outfall_type("入海排污口") == "入海"
    assert normalise_outfall_type("river") == "入河"
    assert normalise_water_source_grade("一级保护区") == "一级"
    assert normalise_water_source_grade("2") == "二级"
    assert normalise_water_source_grade("准保护区") == "准保护区"
    assert normalise_shoreline_type("自然岸线") == "自然"
    assert normalise_shoreline_type("artificial") == "人工"
    with pytest.raises(EcogisError, match="入河, 入海"):
        normalise_outfall_type("lake")


# --- whole layers ----------------------------------------------------------------------------------

def test_reserve_aliases_pinyin_codes():
    gdf = _points(3, BHQMC=["辽河口"] * 3, JB=["国家", "国家级", "national"], GNFQ=["核心", "buffer", "实验区"],
                  MJ=["12.5", 3, None], other=[1, 2, 3])
    out = normalise_layer(gdf, "reserve")
    assert list(out["zone"]) == ["核心区", "缓冲区", "实验区"]
    assert list(out["level"]) == ["国家级"] * 3
    assert list(out["name"]) == ["辽河口"] * 3
    assert out["declared_area"].iloc[0] == 12.5 and math.isnan(out["declared_area"].iloc[2])
    assert list(out["other"]) == [1, 2, 3]  # unrelated columns kept
    assert "GNFQ" not in out.columns
    assert out.attrs["ecogis"]["kind"] == "reserve"
    assert out.attrs["ecogis"]["field_map"]["zone"] == "GNFQ"
    assert list(gdf["GNFQ"]) == ["核心", "buffer", "实验区"]  # input untouched


def test_chinese_and_english_water_section_fields():
    gdf = _points(4, 断面名称=["太平河新生桥", "清水河闸", "a", "b"], 河流=["太平河", "清水河", "x", "y"],
                  控制级别=["省考", "省控", "国考", "市控"], 目标水质=["Ⅳ类", "IV", "4", "四类"],
                  现状水质=["Ⅲ", "劣V", "Ⅴ类", "3"])
    out = normalise_layer(gdf, "water_section")
    assert list(out["name"][:2]) == ["太平河新生桥", "清水河闸"]
    assert list(out["control_level"]) == ["省控", "省控", "国控", "市控"]
    assert list(out["target_class"]) == ["Ⅳ"] * 4
    assert list(out["measured_class"]) == ["Ⅲ", "劣Ⅴ", "Ⅴ", "Ⅲ"]
    english = _points(1, NAME=["s"], river=["r"], Level=["national"], target=["III"], measured=["2"])
    out = normalise_layer(english, "sections")
    assert (out["control_level"][0], out["target_class"][0], out["measured_class"][0]) == ("国控", "Ⅲ", "Ⅱ")


def test_boundary_official_codes_and_adcode_as_text():
    gdf = _points(1, XZQMC=["盘锦市"], XZQDM=[211100.0])
    out = normalise_layer(gdf, "boundary")
    assert out["name"][0] == "盘锦市" and out["adcode"][0] == "211100"


def test_generic_codes_mc_bsm():
    gdf = _points(2, BSM=[1, 2], MC=["红线一", "红线二"], DLMC=["生物多样性维护", "海岸生态稳定"])
    out = normalise_layer(gdf, "redline")
    assert list(out["id"]) == ["1", "2"]
    assert list(out["name"]) == ["红线一", "红线二"]
    assert list(out["type"]) == ["生物多样性维护", "海岸生态稳定"]


def test_user_mapping_wins_over_aliases():
    gdf = _points(2, 功能分区=["bogus", "bogus"], 新分区=["核心区", "实验"])
    out = normalise_layer(gdf, "reserve", fields={"新分区": "zone"})
    assert list(out["zone"]) == ["核心区", "实验区"]
    assert list(out["功能分区"]) == ["bogus", "bogus"]  # not used, kept as is
    # The reverse direction {canonical: column} is accepted too.
    out = normalise_layer(gdf, "reserve", fields={"zone": "新分区"})
    assert list(out["zone"]) == ["核心区", "实验区"]


def test_bad_user_mapping_errors():
    gdf = _points(1, zone_x=["核心区"])
    with pytest.raises(EcogisError, match="no column 'nothere'.*zone_x"):
        normalise_layer(gdf, "reserve", fields={"nothere": "zone"})
    with pytest.raises(EcogisError, match="not a field of kind 'reserve'.*zone"):
        normalise_layer(gdf, "reserve", fields={"zone_x": "zones"})


def test_missing_optional_fields_are_added_empty():
    out = normalise_layer(_points(2, foo=[1, 2]), "outfall")
    for name in ("name", "type", "receiving_water", "status"):
        assert name in out.columns and out[name].isna().all()


def test_unknown_zone_names_feature_field_and_allowed_values():
    gdf = _points(3, 名称=["甲", "乙", "丙"], 功能分区=["核心区", "外围区", "外围区"])
    gdf.index = [10, 11, 12]
    with pytest.raises(EcogisError) as err:
        normalise_layer(gdf, "reserve", path="layers/reserve/x.geojson")
    text = str(err.value)
    assert "layers/reserve/x.geojson" in text
    assert "row 1" in text and "index 11" in text and "'乙'" in text  # the feature
    assert "功能分区" in text  # the field
    assert "'外围区'" in text  # the value
    for zone in ZONES:
        assert zone in text  # the allowed values
    assert "1 more feature" in text
    assert err.value.field == "功能分区"


def test_unknown_class_names_feature_with_id():
    gdf = _points(2, 编号=["S1", "S2"], 断面名称=["甲", "乙"], 目标水质=["Ⅲ", "Ⅵ类"])
    with pytest.raises(EcogisError) as err:
        normalise_layer(gdf, "water_section")
    text = str(err.value)
    assert "row 1" in text and "'乙'" in text and "目标水质" in text and "劣Ⅴ" in text


def test_missing_required_field_lists_columns_and_suggests_mapping():
    gdf = _points(1, 名字=["a"], foo=["核心区"])
    with pytest.raises(EcogisError) as err:
        normalise_layer(gdf, "reserve", path="r.shp")
    text = str(err.value)
    assert "r.shp" in text and "zone" in text
    assert "名字" in text and "foo" in text  # available columns
    assert "fields=" in text  # how to fix


def test_unknown_kind():
    with pytest.raises(EcogisError, match="unknown layer kind 'lake'.*reserve"):
        resolve_kind("lake")
    assert resolve_kind("红线").name == "redline"
    assert resolve_kind("oil_wells").name == "well"


def test_facility_numbers_and_bad_number():
    gdf = _points(3, 单位名称=["a", "b", "c"], 类型=["热电联产", "燃煤锅炉", "燃煤锅炉"],
                  蒸吨=["1000", "20t/h", 10], 装机容量=[350, None, None])
    out = normalise_layer(gdf, "facility")
    assert list(out["capacity_tph"]) == [1000.0, 20.0, 10.0]
    assert out["capacity_mw"][0] == 350.0
    gdf.loc[2, "蒸吨"] = "很多"
    with pytest.raises(EcogisError, match="row 2.*not a number"):
        normalise_layer(gdf, "facility")


def test_a_number_in_another_unit_is_not_read_as_the_fields_unit():
    # a hot-water boiler rated 14 MW (about 20 t/h) must not become a 14 t/h boiler
    gdf = _points(2, 单位名称=["a", "b"], 蒸吨=["20蒸吨", "14MW"])
    with pytest.raises(EcogisError, match=r"row 1.*'蒸吨'.*not a number in t/h: '14MW'"):
        normalise_layer(gdf, "facility")
    gdf = _points(1, 单位名称=["a"], 装机容量=["20t/h"])
    with pytest.raises(EcogisError, match=r"not a number in MW"):
        normalise_layer(gdf, "facility")


def test_well_status_soft_normalisation():
    out = normalise_layer(_points(4, 井号=["w1", "w2", "w3", "w4"], 状态=["关停", "closed", "在产", "待定"]),
                          "well")
    assert list(out["status"]) == ["已关停", "已关停", "在产", "待定"]
    assert list(out["id"]) == ["w1", "w2", "w3", "w4"]


def test_every_kind_has_the_contract_fields():
    contract = {
        "boundary": {"name", "adcode"}, "redline": {"id", "name", "type"},
        "reserve": {"name", "level", "zone"},
        "water_section": {"name", "river", "control_level", "target_class", "measured_class"},
        "outfall": {"name", "type", "receiving_water", "status"}, "water_source": {"name", "grade"},
        "well": {"id", "status"}, "shoreline": {"name", "type"},
        "facility": {"name", "type", "capacity_tph"}, "town_boundary": {"name"}, "site": {"id", "name"},
        "control_unit": {"code", "name", "unit_class", "element", "adcode"},
        "access_list": {"unit_code", "scope", "spatial_layout", "pollutant_discharge", "risk_prevention",
                        "resource_efficiency", "prohibited_industries", "restricted_industries"},
        "farmland": {"id", "type"}, "protected_area": {"name", "type", "zone"}, "wetland": {"name", "level"},
        "ecological_space": {"name"},
    }
    assert set(KINDS) == set(contract)
    for kind, names in contract.items():
        assert names <= set(KINDS[kind].fields), kind
    assert KINDS["reserve"].fields["zone"].allowed == ZONES
    assert KINDS["water_section"].fields["target_class"].allowed == WATER_CLASSES


def test_match_fields_uses_each_column_once():
    # "类型" is an alias of both outfall type and nothing else here; "名称" must not be reused.
    mapping = match_fields(["名称", "类型", "受纳水体"], "outfall")
    assert mapping == {"name": "名称", "type": "类型", "receiving_water": "受纳水体"}


def test_units_in_brackets_are_ignored_when_matching():
    gdf = _points(1, 单位名称=["a"], **{"蒸吨(t/h)": [20], "装机容量（MW）": [350], "面积(公顷)": [1.5]})
    out = normalise_layer(gdf, "facility")
    assert out["capacity_tph"][0] == 20.0 and out["capacity_mw"][0] == 350.0
    assert normalise_layer(_points(1, 面积_公顷=[1], zone=["核心区"]), "reserve")["declared_area"].isna().all()
