"""The safe YAML reader: positions, duplicate keys, tabs, encodings, sizes and alias bombs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config.problems import ConfigError
from bot.config.yamlio import MAX_FILE_BYTES, load_yaml
from tests.conftest import REPO


def write(tmp_path: Path, text: str | bytes, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def only_problem(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_positions_point_at_values_and_keys(tmp_path: Path) -> None:
    """A location inside the data maps back to the 1-based line and column of the value."""
    text = "groups:\n  - id: a\n    tier: senior\n  - id: b\n    tier: x\n"
    doc = load_yaml(write(tmp_path, text))
    assert doc.data["groups"][1]["tier"] == "x"
    assert doc.position(("groups", 1, "tier")) == (5, 11)
    assert doc.position(("groups", 1, "tier"), at_key=True) == (5, 5)
    # a missing key points at the mapping that should hold it
    assert doc.position(("groups", 0, "name")) == (2, 5)


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    """PyYAML would silently keep the last value; we name both lines."""
    path = write(tmp_path, "id: a\nname: one\nname: two\n")
    assert only_problem(path).startswith(f"{path}:3:1: ")
    assert "第 2 行" in only_problem(path)


def test_tab_indentation_names_line_and_column(tmp_path: Path) -> None:
    """A tab used for indentation is reported as such, with its position."""
    path = write(tmp_path, "groups:\n\t- id: a\n")
    problem = only_problem(path)
    assert problem.startswith(f"{path}:2:1: ")
    assert "Tab" in problem


def test_syntax_error_keeps_position(tmp_path: Path) -> None:
    """An unclosed bracket is reported where the parser noticed it."""
    path = write(tmp_path, "a: [1, 2\nb: 3\n")
    assert only_problem(path).startswith(f"{path}:2:")


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    """Nine levels of ten-fold aliases (10^9 nodes) are refused without expanding them."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert "引用" in only_problem(path)


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    """An alias that contains itself would expand forever."""
    path = write(tmp_path, "a: &x [1, *x]\n")
    assert "引用" in only_problem(path)


def test_small_aliases_are_allowed(tmp_path: Path) -> None:
    """Sharing a block with an anchor is ordinary YAML and stays legal."""
    doc = load_yaml(write(tmp_path, "base: &b {x: 1}\nother: *b\n"))
    assert doc.data["other"] == {"x": 1}


def test_non_utf8_is_refused_with_position(tmp_path: Path) -> None:
    """A GBK-encoded file (common on Windows) is refused at the first bad byte."""
    path = write(tmp_path, b"id: a\nname: " + "吉林".encode("gbk") + b"\n")
    assert only_problem(path).startswith(f"{path}:2:7: ")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """Files over the size limit are not parsed at all."""
    path = write(tmp_path, b"#" * (MAX_FILE_BYTES + 1))
    assert "太大" in only_problem(path)


def test_bom_and_empty_files(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark is tolerated; an empty file is empty data."""
    assert load_yaml(write(tmp_path, "\ufeffa: 1\n")).data == {"a": 1}
    assert load_yaml(write(tmp_path, "", "empty.yaml")).data is None


EDGE_CASES = """\
base: &base {tier: junior, count: 3, on: yes, ratio: 0.5, none: ~, day: 2026-12-01}
merged:
  <<: *base
  count: 4
shared: [*base, *base]
explicit: !!str 123
quoted: "yes"
nested: {a: [1, [2, {b: null}]], "key with space": no}
1: numeric key
"""


def test_data_is_exactly_what_pyyaml_builds(tmp_path: Path) -> None:
    """Merge keys, aliases, YAML 1.1 booleans, dates, explicit tags and numeric keys mean what
    PyYAML says they mean."""
    path = write(tmp_path, EDGE_CASES)
    assert load_yaml(path).data == yaml.safe_load(EDGE_CASES)


def test_demo_files_load_as_pyyaml_loads_them() -> None:
    """Every YAML file of the demo home gives the same data as yaml.safe_load."""
    files = [p for part in ("config", "content_library", "schedules")
             for p in (REPO / part).rglob("*.yaml")]
    assert len(files) > 8
    for path in files:
        assert load_yaml(path).data == yaml.safe_load(path.read_text("utf-8")), path


@pytest.mark.parametrize(("text", "line", "column", "needle"), [
    ("start: 2026-13-01\n", 1, 8, "月份只能是 1 到 12"),
    ("end: 2027-02-30\n", 1, 6, "2027 年 2 月只有 28 天"),
    ("a:\n  1: x\n  2: [2026-02-30]\n", 3, 7, "2026 年 2 月只有 28 天"),
    ("2026-13-01: x\n", 1, 1, "月份只能是 1 到 12"),
])
def test_impossible_dates_are_problems_at_their_place(tmp_path: Path, text: str, line: int,
                                                      column: int, needle: str) -> None:
    """PyYAML's date constructor raises ValueError; it becomes a problem, never a crash."""
    path = write(tmp_path, text)
    assert only_problem(path).startswith(f"{path}:{line}:{column}: ")
    assert needle in only_problem(path)


def test_a_valid_date_after_an_impossible_one_is_still_read(tmp_path: Path) -> None:
    """A failed date leaves PyYAML's constructor clean: every other value is still checked."""
    path = write(tmp_path, "a: 2026-13-01\nb: 2026-02-28\nc: 2026-02-29\n")
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, 4), (3, 4)]


def test_a_quote_left_open_lines_above(tmp_path: Path) -> None:
    """A double-quoted value may run over lines, so the parser trips later; the open quote is
    named."""
    path = write(tmp_path, 'a:\n  message: "今晚学习\n  b: 1\n  c: {d: "x"}\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:2:12: ") and "引号一直没有结束" in problem
