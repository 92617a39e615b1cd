"""Case classification (部件/事件, 大类 → 小类) and departments: a pure loader and validator of the YAML
files the city edits (``data/catalog.yaml``, ``data/departments.yaml``). Errors name file, code and field, e.g.
``catalog.yaml: 大类 C01 小类 C0101, field 'time_limit': Input should be greater than 0 (got -4)``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

DATA_DIR = Path(__file__).parent / "data"
CATALOG_PATH = DATA_DIR / "catalog.yaml"
DEPARTMENTS_PATH = DATA_DIR / "departments.yaml"
TEMPLATE = "{district}"  # placeholder in a responsibility rule's department, e.g. "{district}-CGJ"

Kind = Literal["component", "event"]
TimeUnit = Literal["natural_hours", "working_hours", "working_days"]
Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
DepartmentType = Literal["city_bureau", "district_bureau", "utility"]
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Adcode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]  # GB/T 2260, quoted in YAML
#: ``{(小类 code, adcode, or None for the city-wide fallback): department code}``
ResponsibilityTable = dict[tuple[str, str | None], str]


class CatalogError(ValueError):
    """Invalid reference data; the message names the file, the code and the field."""


class _Model(BaseModel):
    # strict: no silent conversions ("4" is not 4, 1 is not true); YAML lists are accepted where tuples are used.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


def _duplicate(codes: list[str]) -> str | None:
    return next((c for i, c in enumerate(codes) if c in codes[:i]), None)


class QuestionValue(_Model):
    key: Text
    name_zh: Text
    name_en: Text


class Question(_Model):  # an extra attribute asked of the citizen (an Open311 attribute)
    code: Text
    name_zh: Text
    name_en: Text
    datatype: Datatype
    required: bool
    values: tuple[QuestionValue, ...] = Field((), strict=False)

    @model_validator(mode="after")
    def _values_fit_datatype(self) -> Question:
        if (self.datatype in LIST_DATATYPES) != bool(self.values):
            raise ValueError(f"field 'values': needed by {' and '.join(LIST_DATATYPES)} only")
        if dup := _duplicate([v.key for v in self.values]):
            raise ValueError(f"field 'values': duplicate key '{dup}'")
        return self

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Category(_Model):  # a 小类; major_code and kind come from its 大类; points is reward_points in YAML
    code: Text
    major_code: Text
    kind: Kind
    name_zh: Text
    name_en: Text
    department: Text  # the city-wide default; departments.yaml may override per district
    time_limit: float = Field(gt=0)
    time_unit: TimeUnit
    keywords: tuple[Text, ...] = Field((), strict=False)
    points: int = Field(ge=0, alias="reward_points")
    public: bool
    urgent: bool
    duplicate_radius_m: float = Field(ge=0)
    file_condition: Text
    close_condition: Text
    questions: tuple[Question, ...] = Field((), strict=False)

    @model_validator(mode="after")
    def _code_and_questions(self) -> Category:
        if not self.code.startswith(self.major_code) or self.code == self.major_code:
            raise ValueError(f"field 'code': '{self.code}' must start with its 大类 code {self.major_code}")
        if dup := _duplicate([q.code for q in self.questions]):
            raise ValueError(f"field 'questions': duplicate question code '{dup}'")
        return self


class MajorCategory(_Model):  # a 大类 with its 小类 in file order
    code: Text
    kind: Kind
    name_zh: Text
    name_en: Text
    categories: tuple[Category, ...] = Field(min_length=1, strict=False)


class Catalog(_Model):
    version: int = 1
    defaults: dict[str, Any] = Field(default_factory=dict)  # checked where applied: in each 小类
    majors: tuple[MajorCategory, ...] = Field(min_length=1, strict=False)
    source: Path = CATALOG_PATH

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, data: Any) -> Any:  # 小类 get their 大类's code and kind, and defaults for omitted fields
        if not isinstance(data, dict) or not isinstance(data.get("majors"), list):
            return data
        given = {k: v for k, v in (data.get("defaults") or {}).items() if v is not None}
        majors = []
        for m in data["majors"]:
            if isinstance(m, dict) and isinstance(cats := m.get("categories"), list):
                up = {"major_code": m.get("code"), "kind": m.get("kind")}
                m = {**m, "categories": [{**given, **c, **up} if isinstance(c, dict) else c for c in cats]}
            majors.append(m)
        return {**data, "majors": majors}

    @model_validator(mode="after")
    def _unique_codes(self) -> Catalog:
        if dup := _duplicate([m.code for m in self.majors] + [c.code for c in self.categories]):
            raise ValueError(f"大类/小类 {dup}, field 'code': duplicate code '{dup}'")
        return self

    @cached_property
    def categories(self) -> tuple[Category, ...]:
        return tuple(c for m in self.majors for c in m.categories)

    @cached_property
    def by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}


class District(_Model):
    adcode: Adcode
    name_zh: Text
    name_en: Text
    central: bool = False


class Department(_Model):
    code: Text
    name_zh: Text
    name_en: Text
    type: DepartmentType
    district: Adcode | None = None  # only, and always, for district bureaus
    short_zh: Text | None = None  # where space is tight (the wall); the full name otherwise (and in tooltips)
    short_en: Text | None = None


class ResponsibilityRule(_Model):
    categories: tuple[Text, ...] = Field(min_length=1, strict=False)  # 小类 or 大类 codes
    districts: Annotated[tuple[Text, ...], Field(strict=False)] | Text  # adcodes, "all" or a group name
    department: Text  # a code, or a template containing "{district}"
    note: str = ""

    @model_validator(mode="after")
    def _template(self) -> ResponsibilityRule:
        if any(ch in self.department.replace(TEMPLATE, "") for ch in "{}"):
            raise ValueError(f"field 'department': the only placeholder allowed is {TEMPLATE}")
        return self


class Departments(_Model):
    version: int = 1
    districts: tuple[District, ...] = Field(min_length=1, strict=False)
    district_groups: dict[str, Annotated[list[Adcode], Field(min_length=1)]] = Field(default_factory=dict)
    departments: tuple[Department, ...] = Field(min_length=1, strict=False)
    responsibility: tuple[ResponsibilityRule, ...] = Field((), strict=False)
    source: Path = DEPARTMENTS_PATH

    @model_validator(mode="after")
    def _references(self) -> Departments:
        adcodes = {d.adcode for d in self.districts}
        if dup := _duplicate([d.adcode for d in self.districts]):
            raise ValueError(f"district {dup}, field 'adcode': duplicate code '{dup}'")
        if dup := _duplicate([d.code for d in self.departments]):
            raise ValueError(f"department {dup}, field 'code': duplicate code '{dup}'")
        for d in self.departments:
            if (d.type == "district_bureau") != (d.district in adcodes) or d.district not in {*adcodes, None}:
                raise ValueError(f"department {d.code}, field 'district': a listed adcode, for bureaus only")
        for name, members in self.district_groups.items():
            if unknown := sorted(set(members) - adcodes):
                raise ValueError(f"district_groups, field '{name}': unknown district '{unknown[0]}'")
        for i, rule in enumerate(self.responsibility, 1):
            if isinstance(rule.districts, str) and rule.districts not in {"all", *self.district_groups}:
                raise ValueError(f"responsibility rule #{i}, field 'districts': no group '{rule.districts}'")
            if unknown := sorted(set(self.scope(rule)) - adcodes):
                raise ValueError(f"responsibility rule #{i}, field 'districts': unknown '{unknown[0]}'")
            if TEMPLATE not in rule.department and rule.department not in self.codes:
                raise ValueError(f"responsibility rule #{i}, field 'department': unknown '{rule.department}'")
        return self

    def scope(self, rule: ResponsibilityRule) -> tuple[str, ...]:  # the adcodes a rule applies to
        if isinstance(rule.districts, tuple):
            return rule.districts
        every = tuple(d.adcode for d in self.districts)
        return every if rule.districts == "all" else tuple(self.district_groups.get(rule.districts, ()))

    @cached_property
    def codes(self) -> set[str]:
        return {d.code for d in self.departments}


_LABELS = {"majors": "大类", "categories": "小类", "questions": "question", "values": "value"}
_LABELS |= {"districts": "district", "departments": "department", "responsibility": "responsibility rule"}
M = TypeVar("M", bound=_Model)


def _locate(data: Any, loc: tuple[int | str, ...]) -> str:
    """pydantic's ``('majors', 0, 'categories', 3, 'time_limit')`` → ``大类 C01 小类 C0104, field 'time_limit'``."""
    names: list[str] = []
    path: list[str] = []
    for part in loc:
        item = data[part] if isinstance(data, list) and isinstance(part, int) and part < len(data) else None
        if isinstance(part, int) and isinstance(item, dict) and path and path[-1] in _LABELS:
            code = item.get("code", item.get("adcode", item.get("key")))
            names.append(f"{_LABELS[path.pop()]} {code if code is not None else f'#{part + 1}'}")
        elif isinstance(part, str) and not isinstance(data, dict):
            continue  # the name of a union member, not a field
        else:
            path.append(str(part))
        data = item if item is not None else data.get(part) if isinstance(data, dict) else None
    return (" ".join(names) or "top level") + (f", field '{'.'.join(path)}'" if path else "")


def _load(model: type[M], path: str | Path | None, default: Path) -> M:
    file = Path(path) if path is not None else default
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{file}: cannot read or parse: {exc}") from exc
    try:
        return model.model_validate({**data, "source": file} if isinstance(data, dict) else data)
    except ValidationError as exc:
        errors, lines = exc.errors(), []
        for err in errors:  # an error without loc comes from a model validator that names where itself
            if any(len(o["loc"]) > len(loc := err["loc"]) and o["loc"][: len(loc)] == loc for o in errors):
                continue  # a consequence (e.g. "too short" after an item failed) of a more precise error
            msg, got = err["msg"].removeprefix("Value error, "), err["input"]
            got = "" if isinstance(got, dict | list) else f" (got {got!r})"
            lines.append(f"{file}: " + (f"{_locate(data, err['loc'])}: {msg}{got}" if err["loc"] else msg))
        raise CatalogError("\n".join(lines)) from None


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate the 大类/小类 catalog (default: the shipped ``data/catalog.yaml``)."""
    return _load(Catalog, path, CATALOG_PATH)


def load_departments(path: str | Path | None = None) -> Departments:
    """Read and validate departments and responsibility rules (default: the shipped ``data/departments.yaml``)."""
    return _load(Departments, path, DEPARTMENTS_PATH)


def expand_responsibility(
    catalog: Catalog, departments: Departments, district_codes: Iterable[str] | None = None
) -> ResponsibilityTable:
    """Rules → ``{(小类, adcode): department}`` (later rules win) plus ``(小类, None)``: its city-wide default.

    ``district_codes`` defaults to every district listed in departments.yaml."""
    listed = [d.adcode for d in departments.districts]
    adcodes = listed if district_codes is None else [str(d) for d in district_codes]
    if unknown := [d for d in adcodes if d not in listed]:
        raise CatalogError(f"{departments.source}: districts: {unknown[0]} is not listed")
    table: ResponsibilityTable = {}
    for cat in catalog.categories:
        if cat.department not in departments.codes:
            where = f"{catalog.source}: 小类 {cat.code}, field 'department'"
            raise CatalogError(f"{where}: unknown department '{cat.department}' (see {departments.source})")
        table[(cat.code, None)] = cat.department
    majors = {m.code: [c.code for c in m.categories] for m in catalog.majors}
    for i, rule in enumerate(departments.responsibility, 1):
        where = f"{departments.source}: responsibility rule #{i}"
        codes: list[str] = []
        for c in rule.categories:
            if c not in majors and c not in catalog.by_code:
                raise CatalogError(f"{where}, field 'categories': unknown 大类/小类 '{c}'")
            codes.extend(majors.get(c, [c]))
        for d in [d for d in departments.scope(rule) if d in adcodes]:
            if (dept := rule.department.replace(TEMPLATE, d)) not in departments.codes:
                raise CatalogError(f"{where}, field 'department': gives '{dept}' for {d}: no such department")
            table.update(((c, d), dept) for c in codes)
    return table


def resolve_department(table: ResponsibilityTable, category_code: str, adcode: str | None) -> str:
    """The department responsible for a 小类 in a district, falling back to the city-wide default."""
    return table.get((category_code, adcode)) or table[(category_code, None)]


def load_reference() -> tuple[Catalog, Departments, ResponsibilityTable]:
    """Load the shipped files and cross-check them (every department and category referenced exists)."""
    catalog, departments = load_catalog(), load_departments()
    return catalog, departments, expand_responsibility(catalog, departments)
