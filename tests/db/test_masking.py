"""The masking of personal data in reports' public free text (:mod:`db.masking`): each pattern with texts that
must be masked and texts that must come out unchanged."""

from __future__ import annotations

import pytest

from db.masking import MASK, mask_public_text

MASKED = [
    # (kind, text, the personal part that must disappear)
    ("mobile", "电话13985012345，尽快处理", "13985012345"),
    ("mobile spaced", "请打 139 8501 2345 找我", "139 8501 2345"),
    ("mobile dashed", "联系 139-8501-2345", "139-8501-2345"),
    ("mobile +86", "call +86 13985012345 please", "13985012345"),
    ("mobile +86 dashed", "+86-139-8501-2345", "139-8501-2345"),
    ("mobile 0086", "0086 13985012345", "13985012345"),
    ("mobile at the end", "井盖丢了13985012345", "13985012345"),
    ("mobile 19x", "号码19912345678", "19912345678"),
    ("landline dashed", "座机 0851-86123456", "86123456"),
    ("landline together", "座机085186123456", "86123456"),
    ("landline parentheses", "（0851）86123456", "86123456"),
    ("landline 3-digit area", "010-62345678", "62345678"),
    ("landline 7 digits", "0851-5123456", "5123456"),
    ("resident ID", "身份证52010319900307123X", "52010319900307123X"),
    ("resident ID lower x", "证号 52010319900307123x。", "52010319900307123x"),
    ("resident ID digits", "520103199003071234", "520103199003071234"),
    ("old resident ID", "老身份证 520103900307123 ", "520103900307123"),
    ("e-mail", "邮箱 wang.secret@example.cn", "wang.secret@example.cn"),
    ("e-mail with digits", "mail: li_13985012345@qq.com", "li_13985012345@qq.com"),
    ("name after 联系人", "联系人：王小明，谢谢", "王小明"),
    ("name after 姓名", "姓名 李四", "李四"),
    ("name after 我是", "我是张三，住在附近", "张三"),
    ("name after 本人", "本人刘洋反映", "刘洋"),
    ("honorific", "联系人王先生", "王先生"),
    ("Latin name", "联系人: John Smith", "John Smith"),
    ("contact after 联系方式", "联系方式：wx_wang88", "wx_wang88"),
    ("contact after 微信", "微信 wang_secret88", "wang_secret88"),
    ("QQ", "QQ：123456789", "123456789"),
    ("bare 8-digit after 电话", "电话 86123456", "86123456"),
]


@pytest.mark.parametrize(("kind", "text", "secret"), MASKED, ids=[m[0] for m in MASKED])
def test_personal_values_are_masked(kind: str, text: str, secret: str) -> None:
    out = mask_public_text(text)
    assert out is not None and secret not in out and MASK in out, (kind, out)


def test_everything_in_one_report() -> None:
    text = (
        "井盖丢了，很危险。联系人：王秘密，电话 13985012345 或 139 8501 2346，身份证 52010319900307123X，"
        "邮箱 wang.secret@example.cn。"
    )
    out = mask_public_text(text)
    assert out == "井盖丢了，很危险。联系人：***，电话 *** 或 ***，身份证 ***，邮箱 ***。"


UNCHANGED = [
    ("ticket", "我的编号 GY261117-45360 还没处理"),
    ("ticket lower", "gy261117-45360"),
    ("date dashed", "2026-11-17 发现"),
    ("date Chinese", "2026年11月17日上午"),
    ("date compact", "20261117"),
    ("date and time", "2026-11-17 09:30:00"),
    ("house number", "中华北路 123 号"),
    ("room", "3栋2单元1301室"),
    ("rooms in a row", "1301-1302-1303 漏水"),
    ("coordinates", "26.5838123,106.7135123"),
    ("coordinates spaced", "106.7135 26.5838"),
    ("grid cell code", "网格 52010301230456"),
    ("amount", "损失约 1500 元"),
    ("plate", "车牌 贵A12345 占道"),
    ("bus line", "乘坐 13 路公交到站"),
    ("long number", "设备编号 139850123456789"),
    ("ordinary text", "路灯不亮，本周第三次"),
    ("phone-like in longer digits", "订单 213985012345"),
    ("empty", ""),
]


@pytest.mark.parametrize(("kind", "text"), UNCHANGED, ids=[u[0] for u in UNCHANGED])
def test_other_numbers_and_text_are_left_alone(kind: str, text: str) -> None:
    assert mask_public_text(text) == text, kind


def test_none_stays_none() -> None:
    assert mask_public_text(None) is None
