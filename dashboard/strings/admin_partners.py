"""Data sharing: the OGC API – Features pages (/ogc/ in HTML) and the admin page of partners' keys
(/admin/partners)."""

STRINGS = {
    # the OGC API's own texts
    "prt.ogc.title": ("贵阳城市管理 · 数据共享服务", "Guiyang city management · data sharing"),
    "prt.ogc.description": (
        "OGC API – Features：便民服务点、最美贵阳、公开诉求（位置已粗化到网格），以及合作单位凭密钥访问的案件数据（不含个人信息）。",
        "OGC API – Features: service points, 最美贵阳 photo spots, public reports (positions coarsened to their "
        "grid cell), and for partners with a key, cases without personal data.",
    ),
    "prt.ogc.conformance": ("符合性声明", "Conformance"),
    "prt.ogc.collections": ("数据集", "Collections"),
    "prt.ogc.api": ("API 定义（OpenAPI）", "API definition (OpenAPI)"),
    "prt.ogc.items": ("要素", "Items"),
    "prt.ogc.queryables": ("可查询属性", "Queryables"),
    "prt.ogc.json": ("JSON", "JSON"),
    "prt.ogc.home": ("首页", "Home"),
    "prt.ogc.matched": (
        "共 {matched} 个要素，本页 {returned} 个（第 {first}–{last} 个）",
        "{matched} features, {returned} on this page ({first}–{last})",
    ),  # fmt: skip
    "prt.ogc.none": (
        "没有符合条件的要素：请放宽 bbox、datetime 或属性筛选。",
        "No features match: widen the bbox, the datetime or the property filters.",
    ),  # fmt: skip
    "prt.ogc.next": ("下一页", "Next page"),
    "prt.ogc.prev": ("上一页", "Previous page"),
    "prt.ogc.id": ("编号", "Id"),
    "prt.ogc.position": ("位置（经度, 纬度）", "Position (lon, lat)"),
    "prt.ogc.partner_only": ("仅限合作单位（需密钥）", "Partners only (key needed)"),
    "prt.ogc.error": ("请求有误", "Request refused"),
    "prt.ogc.lang": ("English", "中文"),
    "prt.coll.service_points": ("便民服务点", "Service points"),
    "prt.coll.service_points.d": (
        "在用的便民服务点：公厕、停车、环卫工人休息站、饮水、充电、回收、休息点。",
        "Service points in use: toilets, parking, sanitation workers' stations, water, "
        "charging, recycling, rest.",
    ),  # fmt: skip
    "prt.coll.photo_spots": ("最美贵阳", "最美贵阳 photo spots"),
    "prt.coll.photo_spots.d": (
        "审核通过的最美贵阳随手拍（照片已审核）。",
        "Approved 最美贵阳 posts with their approved photo.",
    ),
    "prt.coll.public_reports": ("公开诉求", "Public reports"),
    "prt.coll.public_reports.d": (
        "市民上报的公开诉求：位置与公众地图一致（所在网格的代表点，从不是真实位置），仅含小类、区县、日期和办理阶段。",
        "Citizens' public reports, placed as on the public map (their grid cell's point, never the true point), "
        "with 小类, district, day and public stage only.",
    ),
    "prt.coll.cases": ("案件（合作单位）", "Cases (partners)"),
    "prt.coll.cases.d": (
        "凭共享密钥访问：密钥授权的小类与区县内的案件，不含举报人姓名、电话、账号，描述和地址已脱敏。",
        "With a data-sharing key: the cases of the 小类 and districts the key grants, without the reporter's "
        "name, phone or account; description and address masked.",
    ),
    # the admin page /admin/partners
    "prt.title": ("数据共享密钥", "Data-sharing keys"),
    "prt.intro": (
        "合作单位（交警、公安、住建、开放数据平台）凭密钥读取 /ogc/ 的案件数据，仅限授权的小类和区县；每次访问都记入审计日志。密钥只在创建时显示一次。",
        "Partners (traffic police, public security, housing, the open-data portal) read the cases of /ogc/ with a "
        "key, only for the 小类 and districts it grants; every access is in the audit log. A key is shown once, "
        "when it is created.",
    ),
    "prt.keys": ("密钥", "Keys"),
    "prt.empty": (
        "还没有共享密钥：在右侧表单中为合作单位创建一个。",
        "No keys yet: create one for a partner with the form.",
    ),
    "prt.col.id": ("编号", "Id"),
    "prt.col.name": ("合作单位", "Partner"),
    "prt.col.prefix": ("密钥开头", "Key starts"),
    "prt.col.categories": ("小类", "小类"),
    "prt.col.districts": ("区县", "Districts"),
    "prt.col.rate": ("每分钟", "A minute"),
    "prt.col.state": ("状态", "State"),
    "prt.col.created": ("创建", "Created"),
    "prt.active": ("有效", "Active"),
    "prt.revoked": ("已吊销 {at}", "Revoked {at}"),
    "prt.n_categories": ("{n} 个小类", "{n} categories"),
    "prt.revoke": ("吊销", "Revoke"),
    "prt.form": ("创建密钥", "Create a key"),
    "prt.name": ("合作单位名称", "Partner's name"),
    "prt.name.ph": ("如：市公安局交通警察支队", "e.g. the city's traffic police"),
    "prt.categories": ("授权小类", "小类 granted"),
    "prt.categories.all": ("全部小类", "Every 小类"),
    "prt.districts": ("授权区县", "Districts granted"),
    "prt.rate": ("每分钟请求数上限", "Requests a minute, at most"),
    "prt.create": ("创建密钥", "Create the key"),
    "prt.created": (
        "已为 {name} 创建密钥 #{id}。请立即复制并安全交给对方，此密钥不会再次显示：",
        "Key #{id} created for {name}. Copy it now and hand it over safely: it will not be shown again:",
    ),
    "prt.confirm": (
        "吊销 {name} 的密钥 #{id}？吊销后该密钥立即失效。",
        "Revoke key #{id} of {name}? It stops working at once.",
    ),
    "prt.confirm.yes": ("确认吊销", "Revoke"),
    "prt.confirm.no": ("取消", "Cancel"),
    "prt.revoked.ok": ("密钥 #{id} 已吊销。", "Key #{id} revoked."),
    "prt.err": ("未能完成：{message}", "Not done: {message}"),
    "prt.err.db": (
        "数据库暂时不可用，请稍后再试。",
        "The database is unavailable right now; try again shortly.",
    ),
}
