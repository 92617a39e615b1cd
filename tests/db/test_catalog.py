"""The shipped classification and department files, and the validator's error messages (pure: no database)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from db.seed.catalog import (
    Catalog,
    CatalogError,
    Departments,
    expand_responsibility,
    load_catalog,
    load_departments,
    load_reference,
    resolve_department,
)

ALL_DISTRICTS = tuple("520102 520103 520111 520112 520113 520115 520121 520122 520123 520181".split())
CENTRAL = ALL_DISTRICTS[:6]
_MAJOR_NAMES = "C01:公用设施 C02:道路交通 C03:市容环境 C04:园林绿化 C05:房屋土地 C06:其他设施 "
_MAJOR_NAMES += "E01:市容环境 E02:宣传广告 E03:施工管理 E04:突发事件 E05:街面秩序 E06:其他事件"
_KIND = {"C": "component", "E": "event"}
MAJORS = {c: (_KIND[c[0]], name) for c, name in (pair.split(":") for pair in _MAJOR_NAMES.split())}
MUST_INCLUDE = (
    "井盖破损 路灯不亮 道路破损 占道经营 暴露垃圾 乱贴乱画 违规户外广告 施工扰民 渣土撒漏 道路积水 树木倒伏 绿地脏乱 "
    "共享单车乱停放 违章搭建 噪声扰民 消防栓损坏 交通标志牌损坏 护栏损坏 垃圾箱破损 公厕设施损坏 废弃车辆 店外经营 流动摊贩 "
    "沿街晾挂 积存垃圾渣土 道路遗撒 非法小广告 条幅标语 施工占道 工地扬尘 燃气泄漏 路面塌陷 火灾隐患 供水管道破裂 违规停车 "
    "乞讨卖艺 露天烧烤 焚烧垃圾 河道漂浮物"
).split()


@pytest.fixture(scope="module")
def shipped() -> tuple[Catalog, Departments, dict[tuple[str, str | None], str]]:
    return load_reference()


# the shipped files


def test_shipped_files_load_with_all_majors(shipped: Any) -> None:
    catalog, departments, _ = shipped
    assert {m.code: (m.kind, m.name_zh) for m in catalog.majors} == MAJORS
    assert all(m.name_en and len(m.categories) >= 2 for m in catalog.majors)
    assert len(catalog.categories) >= 48
    assert {d.adcode for d in departments.districts} == set(ALL_DISTRICTS)
    assert {d.adcode for d in departments.districts if d.central} == set(CENTRAL)


def test_must_include_categories(shipped: Any) -> None:
    names = {c.name_zh for c in shipped[0].categories}
    assert [n for n in MUST_INCLUDE if n not in names] == []


def test_every_category_is_complete(shipped: Any) -> None:
    for c in shipped[0].categories:
        assert c.code.startswith(c.major_code) and c.kind == MAJORS[c.major_code][0]
        assert c.time_limit > 0 and c.time_unit in ("natural_hours", "working_hours", "working_days"), c.code
        assert 0 <= c.points <= 20 and c.duplicate_radius_m > 0, c.code
        assert c.name_en and c.keywords and c.file_condition and c.close_condition, c.code


def test_realistic_flags_and_questions(shipped: Any) -> None:
    catalog = shipped[0]
    by_name = {c.name_zh: c for c in catalog.categories}
    assert all(c.urgent for c in catalog.categories if c.major_code == "E04")
    assert by_name["燃气泄漏"].time_unit == "natural_hours" and by_name["燃气泄漏"].time_limit <= 2
    assert not by_name["乞讨卖艺"].public and by_name["暴露垃圾"].public
    assert by_name["道路积水"].duplicate_radius_m >= 100
    assert by_name["燃气泄漏"].points > by_name["沿街晾挂"].points
    assert len([c for c in catalog.categories if c.questions]) >= 5
    manhole = {q.code: q for q in by_name["井盖破损"].questions}["manhole_type"]
    assert manhole.required and manhole.datatype == "singlevaluelist"
    assert {v.name_zh for v in manhole.values} == {"雨水", "污水", "燃气", "电力", "通信", "未知"}
    assert manhole.as_dict()["values"][0] == {"key": "rain", "name_zh": "雨水", "name_en": "Storm water"}


def test_every_category_resolves_in_every_district(shipped: Any) -> None:
    catalog, departments, table = shipped
    assert departments.codes >= {"CGJ", *(f"{a}-CGJ" for a in ALL_DISTRICTS), *(f"{a}-ZJJ" for a in CENTRAL)}
    for c in catalog.categories:
        assert table[(c.code, None)] == c.department
        for adcode in ALL_DISTRICTS:
            assert resolve_department(table, c.code, adcode) in departments.codes


def test_rules_order_and_templates(shipped: Any) -> None:
    catalog, departments, table = shipped
    code = {c.name_zh: c.code for c in catalog.categories}
    assert resolve_department(table, code["占道经营"], "520103") == "520103-CGJ"  # 大类 E05 rule, template
    assert resolve_department(table, code["违规停车"], "520103") == "JJZD"  # a later rule overrides E05
    assert resolve_department(table, code["施工扰民"], "520102") == "520102-ZJJ"  # central: district 住建局
    assert resolve_department(table, code["施工扰民"], "520121") == "520121-CGJ"  # outer: county 城管局
    assert resolve_department(table, code["路灯不亮"], "520103") == "CGJ"  # no rule: city-wide fallback
    assert resolve_department(table, code["路灯不亮"], "520181") == "520181-CGJ"
    only_two = expand_responsibility(catalog, departments, ["520103", "520121"])
    assert {d for (_, d) in only_two} == {None, "520103", "520121"}


# validation errors: small files written to tmp_path


CATALOG: dict[str, Any] = yaml.safe_load("""
version: 1
defaults: {duplicate_radius_m: 50, public: true, urgent: false}
majors:
  - code: C01
    kind: component
    name_zh: 公用设施
    name_en: Utilities
    categories:
      - {code: C0101, name_zh: 井盖破损, name_en: Manhole, department: CGJ, time_limit: 4, time_unit: working_hours,
         keywords: [井盖], reward_points: 5, file_condition: 破损, close_condition: 修复}
  - code: E05
    kind: event
    name_zh: 街面秩序
    name_en: Street order
    categories:
      - {code: E0501, name_zh: 占道经营, name_en: Stalls, department: CGJ, time_limit: 4, time_unit: working_hours,
         reward_points: 3, file_condition: 占道, close_condition: 清理}
      - {code: E0502, name_zh: 流动摊贩, name_en: Vendors, department: CGJ, time_limit: 2, time_unit: working_days,
         reward_points: 2, public: false, file_condition: 流动, close_condition: 劝离}
""")

DEPARTMENTS: dict[str, Any] = yaml.safe_load("""
districts:
  - {adcode: "520103", name_zh: 云岩区, name_en: Yunyan, central: true}
  - {adcode: "520121", name_zh: 开阳县, name_en: Kaiyang}
district_groups: {central: ["520103"]}
departments:
  - {code: CGJ, name_zh: 市城管局, name_en: City UMB, type: city_bureau}
  - {code: 520103-CGJ, name_zh: 云岩区城管局, name_en: Yunyan UMB, type: district_bureau, district: "520103"}
  - {code: 520121-CGJ, name_zh: 开阳县城管局, name_en: Kaiyang UMB, type: district_bureau, district: "520121"}
  - {code: 520103-ZJJ, name_zh: 云岩区住建局, name_en: Yunyan HUD, type: district_bureau, district: "520103"}
responsibility:
  - {categories: [E05], districts: all, department: "{district}-CGJ"}
  - {categories: [E0502], districts: central, department: "{district}-ZJJ"}
""")


Table = dict[tuple[str, str | None], str]


def _write(tmp_path: Path, catalog: Any = None, departments: Any = None) -> tuple[Path, Path]:
    paths = tmp_path / "catalog.yaml", tmp_path / "departments.yaml"
    for path, data in zip(paths, (catalog or CATALOG, departments or DEPARTMENTS), strict=True):
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return paths


def _load_both(tmp_path: Path, catalog: Any = None, departments: Any = None) -> Table:
    cat_path, dep_path = _write(tmp_path, catalog, departments)
    return expand_responsibility(load_catalog(cat_path), load_departments(dep_path))


def test_minimal_files_are_valid(tmp_path: Path) -> None:
    table = _load_both(tmp_path)
    assert table[("E0501", "520121")] == "520121-CGJ"
    assert table[("E0502", "520103")] == "520103-ZJJ" and table[("E0502", "520121")] == "520121-CGJ"
    assert resolve_department(table, "C0101", "520103") == "CGJ"
    catalog = load_catalog(tmp_path / "catalog.yaml")
    assert catalog.by_code["E0502"].public is False and catalog.by_code["E0501"].public is True  # defaults


def _bad_catalog(changes: str) -> dict[str, Any]:
    """A copy of CATALOG whose first 小类 (C0101) gets ``changes`` (YAML; null removes the field)."""
    data = copy.deepcopy(CATALOG)
    cat = data["majors"][0]["categories"][0]
    for key, value in yaml.safe_load(changes).items():
        cat.pop(key) if value is None else cat.__setitem__(key, value)
    return data


QUESTION = "{code: t, name_zh: 类型, name_en: Type, required: true"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ("time_unit: hours", "小类 C0101, field 'time_unit': Input should be 'natural_hours'"),
        ("time_limit: -4", "小类 C0101, field 'time_limit': Input should be greater than 0 (got -4)"),
        ("time_limit: 0", "field 'time_limit': Input should be greater than 0"),
        ("time_limit: '4'", "field 'time_limit': Input should be a valid number"),
        ("reward_points: -1", "小类 C0101, field 'reward_points': Input should be greater than or equal"),
        ("reward_points: 2.5", "field 'reward_points': Input should be a valid integer"),
        ("duplicate_radius_m: -5", "field 'duplicate_radius_m'"),
        ("name_zh: null", "小类 C0101, field 'name_zh': Field required"),
        ("name_en: '  '", "小类 C0101, field 'name_en': String should have at least 1 character"),
        ("code: E0101", "field 'code': 'E0101' must start with its 大类 code C01"),
        ("time_limt: 4", "小类 C0101, field 'time_limt': Extra inputs are not permitted"),
        ("public: 'yes'", "field 'public': Input should be a valid boolean"),
        (f"questions: [{QUESTION}, datatype: multivaluelist}}]", "question t: field 'values': needed"),
        (f"questions: [{QUESTION}, datatype: colour}}]", "小类 C0101 question t, field 'datatype'"),
    ],
)
def test_category_errors_name_file_code_and_field(tmp_path: Path, changes: str, expected: str) -> None:
    cat_path, _ = _write(tmp_path, catalog=_bad_catalog(changes))
    with pytest.raises(CatalogError) as info:
        load_catalog(cat_path)
    assert str(cat_path) in str(info.value) and expected in str(info.value)


def test_duplicate_codes(tmp_path: Path) -> None:
    data = copy.deepcopy(CATALOG)
    data["majors"][1]["categories"][1]["code"] = "E0501"
    with pytest.raises(CatalogError, match="field 'code': duplicate code 'E0501'"):
        load_catalog(_write(tmp_path, catalog=data)[0])
    data = copy.deepcopy(CATALOG)
    data["majors"][1] |= {"code": "C01", "kind": "component"}
    for i, cat in enumerate(data["majors"][1]["categories"]):
        cat["code"] = f"C010{i + 2}"
    with pytest.raises(CatalogError, match="duplicate code 'C01'"):
        load_catalog(_write(tmp_path, catalog=data)[0])
    deps = copy.deepcopy(DEPARTMENTS)
    deps["departments"].append(dict(deps["departments"][0]))
    with pytest.raises(CatalogError, match="department CGJ, field 'code': duplicate code 'CGJ'"):
        load_departments(_write(tmp_path, departments=deps)[1])


def test_unknown_department_in_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        _load_both(tmp_path, catalog=_bad_catalog("department: NOPE"))
    message = str(info.value)
    assert "catalog.yaml: 小类 C0101, field 'department': unknown department 'NOPE'" in message
    assert "departments.yaml" in message


def _bad_departments(rule: str = "", department: str = "") -> dict[str, Any]:
    """A copy of DEPARTMENTS with one more responsibility rule and/or department (YAML)."""
    data = copy.deepcopy(DEPARTMENTS)
    data["responsibility"] += [yaml.safe_load(rule)] if rule else []
    data["departments"] += [yaml.safe_load(department)] if department else []
    return data


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{categories: [E05], districts: all, department: SWJ}", "field 'department': unknown 'SWJ'"),
        ("{categories: [E05], districts: suburbs, department: CGJ}", "field 'districts': no group 'suburbs'"),
        ("{categories: [E05], districts: ['520199'], department: CGJ}", "districts': unknown '520199'"),
        ("{categories: [E05], districts: all, department: '{county}-CGJ'}", "only placeholder allowed"),
        ("{categories: [], districts: all, department: CGJ}", "field 'categories': Tuple should have"),
    ],
)
def test_rule_errors(tmp_path: Path, rule: str, expected: str) -> None:
    dep_path = _write(tmp_path, departments=_bad_departments(rule=rule))[1]
    with pytest.raises(CatalogError) as info:
        load_departments(dep_path)
    assert f"{dep_path}: responsibility rule #3" in str(info.value) and expected in str(info.value)


@pytest.mark.parametrize(
    ("department", "expected"),
    [
        ("{code: X, name_zh: 局, name_en: B, type: district_bureau}", "field 'district': a listed adcode"),
        ("{code: X, name_zh: 局, name_en: B, type: utility, district: '520103'}", "field 'district'"),
        ("{code: X, name_zh: 局, name_en: B, type: district_bureau, district: '520199'}", "field 'district'"),
        ("{code: X, name_zh: 局, name_en: B, type: ministry}", "field 'type': Input should be 'city_bureau'"),
        ("{code: X, name_zh: '', name_en: B, type: utility}", "field 'name_zh'"),
    ],
)
def test_department_errors(tmp_path: Path, department: str, expected: str) -> None:
    dep_path = _write(tmp_path, departments=_bad_departments(department=department))[1]
    with pytest.raises(CatalogError) as info:
        load_departments(dep_path)
    assert f"{dep_path}: department X" in str(info.value) and expected in str(info.value)


def test_unknown_category_in_rule(tmp_path: Path) -> None:
    data = _bad_departments("{categories: [E0599], districts: all, department: CGJ}")
    with pytest.raises(
        CatalogError, match=r"departments.yaml: responsibility rule #3, field 'categories'.*'E0599'"
    ):
        _load_both(tmp_path, departments=data)


def test_template_giving_a_missing_department(tmp_path: Path) -> None:
    data = _bad_departments("{categories: [C0101], districts: all, department: '{district}-ZJJ'}")
    with pytest.raises(CatalogError) as info:
        _load_both(tmp_path, departments=data)
    assert "responsibility rule #3, field 'department': gives '520121-ZJJ' for 520121" in str(info.value)


def test_unreadable_or_malformed_files(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("majors: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read or parse"):
        load_catalog(bad)
    with pytest.raises(CatalogError, match="cannot read or parse"):
        load_catalog(tmp_path / "missing.yaml")
    bad.write_text("majors: []\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="top level, field 'majors'"):
        load_catalog(bad)


def test_every_department_has_short_names_that_tell_it_apart(shipped: Any) -> None:
    """The wall shows short names (full names on hover): each department has both, and no two are alike, in
    either language (not several "Urban Mgmt Bureau")."""
    departments = shipped[1].departments
    for lang in ("zh", "en"):
        short = [getattr(d, f"short_{lang}") for d in departments]
        assert all(short), f"a department without a short name ({lang})"
        assert len(set(short)) == len(short), f"short names alike ({lang})"
        full = [getattr(d, f"name_{lang}") for d in departments]
        assert len(set(full)) == len(full)
    assert all(len(d.short_zh or "") <= 8 and len(d.short_en or "") <= 24 for d in departments)
