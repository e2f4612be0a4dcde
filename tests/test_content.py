"""The prompt files: the loader, every kind of error the check reports (file, line, what was expected)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import content
from service.content import ContentError, format_problems, read
from tests.conftest import FIXTURES, ROOT, make_app


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def report(root: Path) -> list[str]:
    """The check's errors (warnings, such as answers a first-time texter gets cut short, are tested on their own)."""
    return [str(p) for p in sorted(read(root).problems) if p.severity == "error"]


def test_the_shipped_prompts_have_no_errors() -> None:
    loaded = read(ROOT / "prompts")
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert loaded.default_language in loaded.languages and loaded.topic_ids()


def test_the_small_fixture_loads_clean(small_prompts: Path) -> None:
    loaded = content.load(small_prompts)
    assert [o.target for o in loaded.menus["main"].options] == ["what_is", "contagious"]
    assert loaded.languages["en"].topic("contagious").title == "whether it is contagious"


def test_a_menu_pointing_at_a_topic_that_does_not_exist(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "topic: contagious", "topic: contagion")
    assert report(small_prompts) == [
        "prompts/en.yaml:152: topic 'contagious' is not reached from any menu; expected line.yaml to list it in a menu",
        "prompts/line.yaml:18: menu 'main' option 2 points at topic 'contagion', which prompts/en.yaml does not have; expected a topic of that name there",
    ]


def test_a_menu_pointing_at_a_menu_that_does_not_exist(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "      topic: contagious", "      menu: more")
    assert "prompts/line.yaml:18: menu 'main' option 2 points at menu 'more', which does not exist; expected one of: main" in report(small_prompts)


def test_two_options_on_one_key(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 1\n")
    assert report(small_prompts) == ["prompts/line.yaml:18: menu 'main': two options on key 1 (the other is on line 16); expected one option per key"]


def test_a_menu_with_more_than_five_options(small_prompts: Path) -> None:
    extra = "".join(f"    - key: {k}\n      topic: what_is\n" for k in (3, 4, 5, 6))
    edit(small_prompts, "line.yaml", "      topic: contagious\n", "      topic: contagious\n" + extra)
    assert report(small_prompts) == [
        "prompts/line.yaml:15: menu 'main' has 6 options; expected at most 5 (move some into a sub-menu)",
        "prompts/line.yaml:26: menu 'main': option key '6'; expected 1 to 5 (other keys are kept for repeat, back, main menu and help)",
    ]


def test_keys_with_a_gap(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 3\n")
    assert report(small_prompts) == ["prompts/line.yaml:15: menu 'main': keys 1, 3; expected keys in order with no gaps (1, 2)"]


def test_a_topic_no_menu_reaches(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n      topic: contagious\n", "")
    assert report(small_prompts) == ["prompts/en.yaml:152: topic 'contagious' is not reached from any menu; expected line.yaml to list it in a menu"]


def test_a_keyword_claimed_by_another_topic_is_reported_at_the_keyword(small_prompts: Path) -> None:
    # An exploratory admin's: a keyword that another topic has was reported under Phrases, as "the phrase".
    edit(small_prompts, "en.yaml", "    keyword: contagious\n", "    keyword: overview\n")
    assert report(small_prompts) == ["prompts/en.yaml:156: topic 'contagious': the keyword 'overview' also leads to topic 'what_is' (line 139); expected each phrase to lead to one place"]


def test_a_phrase_claimed_by_two_topics(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "phrases: [catching, infectious]", "phrases: [catching, Overview]")
    assert report(small_prompts) == ["prompts/en.yaml:157: topic 'contagious': the phrase 'Overview' also leads to topic 'what_is' (line 139); expected each phrase to lead to one place"]


def test_a_text_answer_over_three_segments(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "      harms nerves and other parts of the body.", "      harms nerves and other parts of the body." + " It is rare." * 40)
    assert report(small_prompts) == ["prompts/en.yaml:148: text message topic 'what_is' text, with its closing line, is 5 segments (654 characters); expected at most 3 segments (459 characters): shorten it by 195"]


def test_a_title_too_long_for_a_list_of_choices_is_reported_at_the_title(small_prompts: Path) -> None:
    # A texter who is not understood gets the nearest topics by title, with the notice in front: titles must fit it.
    edit(small_prompts, "en.yaml", "title: whether it is contagious", "title: whether it is contagious" + " or catching" * 30)
    problems = report(small_prompts)
    assert [p for p in problems if "list of topics to choose from" in p] == [(
        "prompts/en.yaml:155: text message the longest list of topics to choose from, as a first text with the line's "
        "notice, is 5 segments (623 characters); expected at most 3 segments (459 characters): shorten it by 164")]


def test_a_text_answer_with_characters_outside_gsm7_names_them(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    text: >-\n      No. POEMS", "    text: >-\n      No \u2014 it\u2019s not. POEMS")
    assert report(small_prompts) == [
        "prompts/en.yaml:160: text message topic 'contagious' text has characters outside GSM-7, the plain text alphabet: "
        "'\u2014' (em dash), '\u2019' (right single quotation mark); expected plain characters (straight quotes ' and \", a "
        "hyphen -, three dots ...): with one of these a text holds less than half as many characters and costs more than double"]


def test_a_text_answer_too_long_with_an_emoji_is_counted_as_the_counter_counts_it(small_prompts: Path) -> None:
    # An exploratory admin's: the editor's counter said "shorten it by 52", the check "7 segments (425 characters) ...
    # shorten it by 224", counted at the rate an emoji brings. One figure: as it will be sent once the emoji is out.
    edit(small_prompts, "en.yaml", "    text: >-\n      No. POEMS", "    text: >-\n      " + "Long words here. " * 30 + "\U0001F642 No. POEMS")
    problems = [p for p in report(small_prompts) if "segments" in p]
    assert len(problems) == 1 and "at most 3 segments (459 characters)" in problems[0], problems
    size = int(re.search(r"is \d+ segments \((\d+) characters\)", problems[0]).group(1))
    assert f"shorten it by {size - 459}" in problems[0]  # not at the emoji's rate, "(201 characters)"


def test_an_emoji_in_a_fixed_text_phrase(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", 'sms_not_understood: "Sorry, I did not understand that."', 'sms_not_understood: "Sorry \U0001F615"')
    problems = report(small_prompts)
    assert any("'\U0001F615' (confused face)" in p for p in problems), problems


def test_a_reading_grade_over_eight(small_prompts: Path) -> None:
    hard = ("Notwithstanding considerable epidemiological investigation, transmissibility between individuals remains "
            "entirely unsubstantiated, and POEMS syndrome constitutes a hematological proliferative abnormality.")
    edit(small_prompts, "en.yaml", "      No. POEMS is not an infection. Nothing suggests it can be caught from another person.\n    text",
         f"      {hard}\n    text")
    assert report(small_prompts) == ["prompts/en.yaml:158: topic 'contagious': spoken answer scores 30.4 on the Flesch-Kincaid grade scale; expected at most 8: use shorter sentences and plainer words"]


def test_a_spoken_answer_over_150_words(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "      A small group of abnormal plasma cells grows in the body.\n",
         "      A small group of abnormal plasma cells grows in the body.\n" + "      It is rare. Talk to your doctor.\n" * 22)
    assert "prompts/en.yaml:145: topic 'what_is': spoken answer has 172 words; expected at most 150 (about 60 seconds)" in report(small_prompts)


def test_a_topic_missing_in_a_language(prompts_copy: Path) -> None:
    es = prompts_copy / "es.yaml"
    text = es.read_text(encoding="utf-8")
    start = text.index("  famous_people:")
    end = text.index("  leave_message:")
    es.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = report(prompts_copy)
    assert "prompts/line.yaml:69: menu 'risk' option 5 points at topic 'famous_people', which prompts/es.yaml does not have; expected a topic of that name there" in problems
    assert any(p.startswith("prompts/es.yaml:1: topic 'famous_people' is missing in Español (prompts/en.yaml line ") for p in problems)


def test_a_phrase_missing_in_a_language(prompts_copy: Path) -> None:
    phrases_line = (prompts_copy / "es.yaml").read_text(encoding="utf-8").split("\n").index("phrases:") + 1
    edit(prompts_copy, "es.yaml", "  no_match: Lo siento, no le entendí.\n", "")
    assert report(prompts_copy) == [f"prompts/es.yaml:{phrases_line}: phrases: missing 'no_match'; expected it here"]


def test_yaml_syntax_errors_name_the_line(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    keyword: contagious", "    keyword: [contagious")
    assert report(small_prompts) == ["prompts/en.yaml:157: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence); check the indentation and quotes on this line or the one before"]


def test_unknown_placeholders_and_unknown_names(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "not_option: Sorry, that is not an option.", "not_option: Sorry, {key} is not an option.")
    edit(small_prompts, "en.yaml", "    keyword: contagious", "    keyword: contagious\n    colour: blue")
    assert report(small_prompts) == [
        "prompts/en.yaml:74: phrase 'not_option': unknown placeholder {key}; expected no {...} placeholders",
        "prompts/en.yaml:157: topic 'contagious': unknown name 'colour'; expected one of: title, keyword, spoken, text, phrases, sources, reviewed, examples",
    ]


def test_a_name_written_twice(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    keyword: contagious", "    keyword: contagious\n    keyword: catching")
    assert "prompts/en.yaml:157: 'keyword' appears twice in the same place (first on line 156); expected each name once" in report(small_prompts)


def test_reserved_keys_must_differ_and_not_be_option_keys(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", 'help: "8"', 'help: "9"')
    edit(small_prompts, "line.yaml", 'text_me: "7"', 'text_me: "2"')
    assert report(small_prompts) == [
        "prompts/line.yaml:10: keys: help and main_menu are both '9'; expected a different key for each",
        "prompts/line.yaml:11: keys: text_me is '2', which menus use for options (1 to 5); expected 6, 7, 8, 9, 0, * or #",
    ]


def test_timeouts_below_ten_seconds_are_refused(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "menus:", "timeouts:\n  first_seconds: 5\n\nmenus:")
    assert report(small_prompts) == ["prompts/line.yaml:15: timeouts: first_seconds must be at least 10: callers with weak hands need the time"]


def test_every_error_is_reported_at_once(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 1\n")
    edit(small_prompts, "en.yaml", "phrases: [catching, infectious]", "phrases: [catching, overview]")
    edit(small_prompts, "en.yaml", "not_option: Sorry, that is not an option.", "not_option: Sorry, {key} is not.")
    text = format_problems(read(small_prompts).problems)
    assert text.count("\n") == 3 and text.endswith("3 error(s), 0 warning(s)")


def test_the_server_refuses_to_start_on_broken_prompts_with_the_report(small_prompts: Path, tmp_path: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 1\n")
    with pytest.raises(ContentError) as caught:
        make_app(tmp_path, PROMPTS_DIR=str(small_prompts))
    assert "prompts/line.yaml:18: menu 'main': two options on key 1" in str(caught.value)


def test_the_check_command_reports_and_exits_non_zero(small_prompts: Path, tmp_path: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 1\n")
    result = _flask(["prompts", "check", "--no-audio"], PROMPTS_DIR=str(small_prompts), AUDIO_DIR=str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "prompts/line.yaml:18: menu 'main': two options on key 1 (the other is on line 16); expected one option per key",
        "1 error(s), 0 warning(s)",
    ]
    assert "Traceback" not in result.stderr


def test_the_check_command_passes_on_the_shipped_prompts_and_audio() -> None:
    result = _flask(["prompts", "check"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"prompts/ is fine: \d+ language\(s\), \d+ menus, \d+ topics, \d+ spoken prompts, all with current audio", result.stdout)


def _flask(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_"))}
    environment.update(env, DATABASE_URL="none")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_an_admins_slips_that_would_change_what_people_hear_are_errors_with_file_and_line(small_prompts: Path) -> None:
    # An admin's morning: a lost brace (callers heard "press back}"), a closing line that no longer says what to reply,
    # and a number as a keyword (texting it picks a menu's option, never the topic). Each passed the check before.
    edit(small_prompts, "en.yaml", "To go back, press {back}.", "To go back, press back}.")
    edit(small_prompts, "en.yaml", '"Reply MENU for more topics, or ask another question."', '"Thanks."')
    edit(small_prompts, "en.yaml", "    keyword: contagious\n", "    keyword: '1'\n")
    problems = report(small_prompts)
    assert "prompts/en.yaml:67: phrase 'menu_footer': a '{' or '}' without its pair; expected each placeholder written whole, as {name}" in problems
    assert ("prompts/en.yaml:112: phrase 'sms_answer_footer': it names no word that brings back the topics; expected one of "
            "the menu words (words: menu), such as MENU, for texters to reply") in problems
    assert any(p.startswith("prompts/en.yaml:156: topic 'contagious': '1' is a number, which by text picks a menu's option")
               for p in problems), problems
    # The word suggested is one a texter can reply: one word, and never one the carrier answers itself ("start").
    edit(small_prompts, "en.yaml", "  menu: [menu, main menu, hi,", "  menu: [start, main menu, hi,")
    assert any(p.endswith("such as HI, for texters to reply") for p in report(small_prompts))
    edit(small_prompts, "en.yaml", '"Thanks."', '"Thanks. Reply START."')
    assert any("sms_answer_footer" in p for p in report(small_prompts))  # START is the carrier's opt-in


def test_911_or_988_spoken_as_a_whole_number_is_a_warning(small_prompts: Path) -> None:
    # espeak-ng (and some of Twilio's voices) read "911" as "nine hundred eleven": a frightened caller needs the digits.
    assert not any("whole number" in p.message for p in read(small_prompts).problems)  # it says "9 1 1"
    edit(small_prompts, "en.yaml", "Emergency? Hang up and call 9 1 1.", "Emergency? Hang up and call 911.")
    warnings = [str(p) for p in read(small_prompts).problems if p.severity == "warning" and "whole number" in p.message]
    assert "prompts/en.yaml:61: phrase 'notice' says 911 as a whole number; expected 9 1 1, which every voice reads digit by digit" in warnings


def test_a_topic_more_than_three_presses_from_the_main_menu(small_prompts: Path) -> None:
    edit(small_prompts, "line.yaml", "    - key: 2\n      topic: contagious\n", "    - key: 2\n      menu: more\n  more:\n    - key: 1\n      menu: deeper\n"
         "  deeper:\n    - key: 1\n      menu: deepest\n  deepest:\n    - key: 1\n      topic: contagious\n")
    edit(small_prompts, "en.yaml", "menus:\n", "menus:\n  more:\n    title: more\n    intro: More.\n  deeper:\n    title: deeper\n    intro: Deeper.\n"
         "  deepest:\n    title: deepest\n    intro: Deepest.\n")
    assert report(small_prompts) == ["prompts/line.yaml:27: topic 'contagious' is 4 key presses from the main menu (menu 'deepest' option 1); expected at most 3"]


def _phrase_names() -> list[str]:
    from service.content import PHRASES
    from service.content.model import OPTIONAL_PHRASES

    return sorted(set(PHRASES) - set(OPTIONAL_PHRASES))


@pytest.mark.parametrize("name", _phrase_names())
def test_any_missing_phrase_is_reported_never_a_crash(name: str, small_prompts: Path) -> None:
    path = small_prompts / "en.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    section = lines.index("phrases:\n")
    start = next(i for i, line in enumerate(lines) if i > section and line.startswith(f"  {name}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    assert f"prompts/en.yaml:56: phrases: missing '{name}'; expected it here" in report(small_prompts)


@pytest.mark.parametrize("broken", [
    ("en.yaml", "    title: whether it is contagious\n", ""),
    ("en.yaml", "    keyword: contagious\n", "    keyword:\n"),
    ("en.yaml", "topics:", "topics: nothing\nold_topics:"),
    ("en.yaml", "menus:\n  main:\n", "menus:\n  mian:\n"),
    ("en.yaml", "language:\n", "language: English\nold_language:\n"),
    ("en.yaml", "words:\n", "words: []\nold_words:\n"),
    ("en.yaml", "key_names:", "key_names: star\nold_key_names:"),
    ("line.yaml", "keys:", "keys: []\nold_keys:"),
    ("line.yaml", "menus:\n  main:\n", "menus:\n  main: 1\n  old:\n"),
    ("line.yaml", "    - key: 1\n", "    - 1\n    - key: 3\n"),
    ("line.yaml", "languages:\n  - en\n", "languages:\n  - en\n  - xx\n"),
    ("line.yaml", "default_language: en", "default_language: fr"),
    ("line.yaml", "languages:\n  - en\n", "languages: en\n"),
])
def test_broken_files_are_reported_never_a_crash(broken: tuple[str, str, str], small_prompts: Path) -> None:
    edit(small_prompts, *broken)
    problems = report(small_prompts)
    assert problems and all(re.match(r"prompts/(en|line|xx)\.yaml:\d+: ", p) for p in problems), problems


def test_an_empty_or_binary_file_is_reported(small_prompts: Path) -> None:
    (small_prompts / "en.yaml").write_text("", encoding="utf-8")
    assert report(small_prompts)[0] == "prompts/en.yaml:1: the file is empty; expected a mapping of settings"
    (small_prompts / "en.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert report(small_prompts)[0].startswith("prompts/en.yaml:1: the file is not UTF-8 text")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_randomly_damaged_prompt_files_give_a_report_never_a_crash(data: st.DataObject, tmp_path: Path) -> None:
    import shutil
    import uuid

    tree = tmp_path / uuid.uuid4().hex / "prompts"
    shutil.copytree(FIXTURES / "three", tree)
    name = data.draw(st.sampled_from(["en.yaml", "es.yaml", "fr.yaml", "line.yaml"]))
    lines = (tree / name).read_text(encoding="utf-8").splitlines(keepends=True)
    start = data.draw(st.integers(0, len(lines) - 1))
    action = data.draw(st.sampled_from(["delete", "uncolon", "insert"]))
    if action == "delete":
        del lines[start:start + data.draw(st.integers(1, 6))]
    elif action == "uncolon":
        lines[start] = lines[start].replace(":", "", 1)
    else:
        lines.insert(start, data.draw(st.sampled_from(["  x: 1\n", "- y\n", "    - key: 9\n", "  what_is:\n", "\t\n", "      menu: main\n"])))
    (tree / name).write_text("".join(lines), encoding="utf-8")
    for problem in read(tree).problems:
        assert re.match(r"prompts/\w+\.yaml:\d+: .+", str(problem)), problem


def test_a_topic_without_sources_or_with_an_unknown_one_fails_the_check(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    sources: [fact-sheet]\n", "    sources: []\n")
    assert any("no sources; expected at least one id from sources.yaml" in p for p in report(small_prompts))
    edit(small_prompts, "en.yaml", "    sources: [fact-sheet]\n", "    sources: [made-up]\n")
    assert any("source 'made-up' is not in sources.yaml; expected an id listed there (1 listed)" in p for p in report(small_prompts))


def test_an_old_review_is_a_warning_and_the_report_lists_the_oldest(small_prompts: Path, tmp_path: Path) -> None:
    edit(small_prompts, "en.yaml", "    reviewed: 2026-11-25\n", "    reviewed: 2025-01-10\n")
    warnings = [str(p) for p in read(small_prompts).problems if p.severity == "warning"]
    assert any("last reviewed 2025-01-10, more than 12 months ago" in w for w in warnings)
    app = make_app(tmp_path, PROMPTS_DIR=str(small_prompts))
    output = app.test_cli_runner().invoke(args=["report"]).output
    assert "Oldest medical reviews" in output and "2025-01-10" in output.split("Oldest medical reviews")[1].splitlines()[1]


def test_a_language_without_a_twilio_voice_is_refused(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "  say_voice: Polly.Joanna-Neural\n", "")
    assert any("language: missing 'say_voice'" in p for p in report(small_prompts))
    edit(small_prompts, "en.yaml", "  say_language: en-US", "  say_language: en-US\n  say_voice: woman")
    assert any("say_voice 'woman' is not a voice Twilio names" in p for p in report(small_prompts))


def test_a_safety_phrase_without_its_number_or_a_choice_without_its_key_is_an_error(small_prompts: Path) -> None:
    # What an admin might publish by a slip: a crisis line number mistyped, a menu option with no key to press.
    edit(small_prompts, "en.yaml", "call or text 9 8 8, the Suicide and Crisis Lifeline. If", "call or text 9 8, the Suicide and Crisis Lifeline. If")
    edit(small_prompts, "en.yaml", "  option: For {title}, press {key}.", "  option: For {title}.")
    assert report(small_prompts) == [
        "prompts/en.yaml:63: phrase 'option': {key} is missing; expected it, where the line puts the key to press or reply",
        "prompts/en.yaml:121: phrase 'crisis': the number 988 is missing; expected 988 in it, as every crisis phrase must give it",
    ]


def test_a_safety_phrase_that_says_not_to_call_its_number_is_an_error(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "call or text 9 8 8, the Suicide and Crisis Lifeline. If", "do not call 9 8 8, the Suicide and Crisis Lifeline. If")
    assert "prompts/en.yaml:121: phrase 'crisis': it tells people not to call 988; expected it to tell them to call 988" in report(small_prompts)


def test_a_keyword_the_phone_company_answers_itself_is_an_error(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    keyword: contagious", "    keyword: stop")
    [problem] = report(small_prompts)
    assert problem.startswith("prompts/en.yaml:156: topic 'contagious': 'stop' is a word the phone company answers")


def test_markup_typed_into_an_answer_is_an_error(small_prompts: Path) -> None:
    text = (small_prompts / "en.yaml").read_text(encoding="utf-8")
    start = text.index("\n  contagious:")
    at = text.index("    text: ", start) + len("    text: ")
    (small_prompts / "en.yaml").write_text(text[:at] + "<script>alert(1)</script> " + text[at:], encoding="utf-8")
    assert any("topic 'contagious' text has markup, <script>; expected plain words" in p for p in report(small_prompts))


def test_a_language_file_that_lost_its_menus_and_topics_is_reported_not_a_crash(tmp_path: Path) -> None:
    # Found by the damaged-files test: the longest list of choices had no titles to name.
    import shutil

    tree = tmp_path / "prompts"
    shutil.copytree(FIXTURES / "three", tree)
    text = (tree / "es.yaml").read_text(encoding="utf-8")
    start = text.index("\nmenus:")
    end = text.index("\n  what_is:", start)
    (tree / "es.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert "prompts/es.yaml:3: es.yaml: missing 'menus'; expected it here" in [str(p) for p in read(tree).problems]
