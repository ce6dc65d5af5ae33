"""Cron schedules and commands: the validators with hostile input, and what the crontab text can
hold (runs anywhere). Cron's own readings of a line are modelled here from Debian's cron, whose
behaviour the sandbox tests (test_cron_hostile.py, test_cron_daemon.py) show on the real thing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.errors import InvalidArgument
from agent.system.cron.crontab import HEADER, CronJob, escape_command, render
from agent.validators import cron as cron_validators
from agent.validators.cron import CronCommand, CronJobId, CronSchedule

VALID_SCHEDULES = [
    "* * * * *",
    "*/15 * * * *",
    "0 4 * * *",
    "0-59/59 0-23/23 1-31/31 1-12/12 0-7/7",
    "59 23 31 12 7",
    "00 01 * * *",
    "0,15,30,45 * * * *",
    "1-5,10-20/2,59 * * * *",
    "0 0 * jan-DEC *",
    "0 0 * * mon-fri",
    "0 0 * * MON,wed,Fri",
    "0 0 * * sun-sat/2",
    "0 0 1 feb *",
    "@reboot",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
]

INVALID_SCHEDULES = [
    "",
    "* * * *",
    "* * * * * *",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * 32 * *",
    "* * * 0 *",
    "* * * 13 *",
    "* * * * 8",
    "-1 * * * *",
    "5/10 * * * *",  # crontab refuses a step after a single number
    "*/0 * * * *",
    "*/60 * * * *",
    "*/5/2 * * * *",
    "5-1 * * * *",
    "fri-mon * * * *",
    "* * * * fri-mon",
    "* * * jan/2 *",
    "* * * * monday",
    "* * * * mo",
    "1,,2 * * * *",
    ",1 * * * *",
    "001 * * * *",
    "*\t* * * *",
    "* * * * *\n* * * * * evil",
    "@every",
    "@REBOOT",
    "@daily\nSHELL=/bin/sh",
    "@daily *",
    "SHELL=/bin/sh",
    "MAILTO=root",
    "PATH=/tmp * * * *",
    "1" * 300,
    "\u0661 * * * *",  # an Arabic-Indic digit: isdigit() is not the grammar
]


@pytest.mark.parametrize("schedule", VALID_SCHEDULES)
def test_valid_schedules(schedule: str) -> None:
    assert cron_validators.cron_schedule(schedule) == schedule


def test_schedules_come_back_with_single_spaces() -> None:
    assert cron_validators.cron_schedule("  0   4 * *  * ") == "0 4 * * *"


@pytest.mark.parametrize("schedule", INVALID_SCHEDULES)
def test_invalid_schedules(schedule: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        cron_validators.cron_schedule(schedule, "job.schedule")
    assert raised.value.field == "job.schedule"
    assert schedule.strip() not in raised.value.message or not schedule.strip()


INVALID_COMMANDS = {
    "empty": "",
    "blank": " \t ",
    "newline then a second job": "true\n* * * * * evil",
    "newline then SHELL": "true\nSHELL=/bin/sh",
    "newline then MAILTO": "true\nMAILTO=attacker@example.com",
    "carriage return": "true\r* * * * * evil",
    "NUL": "true\x00evil",
    "escape": "echo \x1b[2J",
    "DEL": "echo \x7f",
    "C1 next line": "echo \x85evil",
    "starts with =": "=PATH",
    "blanks then =": " \t=x",
    "too long": "x" * 1001,
    "too many bytes": "\u00e9" * 500,
    "too many bytes once % is escaped": "%" * 500,
    "too many bytes once \\ is escaped": "\\" * 500,
}


@pytest.mark.parametrize("command", INVALID_COMMANDS.values(), ids=INVALID_COMMANDS.keys())
def test_invalid_commands(command: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        cron_validators.cron_command(command, "job.command")
    assert raised.value.field == "job.command"


@pytest.mark.parametrize(
    "command",
    [
        "true",
        "SHELL=/bin/sh",  # a shell assignment as a command, not a crontab setting
        "MAILTO= true",
        "echo a=b",
        "cd ~ && php artisan schedule:run >> /dev/null 2>&1",
        "date +%Y-%m-%d",
        "date +\\%Y",  # cron's own escape, taken literally: the shell sees "\%"
        "printf '\\\\%s'",
        "echo \\",
        "echo\tx",
        "echo \u00e9t\u00e9 \U0001f600",
        "x" * 998,
        "%" * 499,
    ],
)
def test_valid_commands(command: str) -> None:
    assert cron_validators.cron_command(command) == command


def test_ids() -> None:
    assert cron_validators.cron_job_id("0123abcd") == "0123abcd"
    for bad in ("", "abc", "ABCDEFGH", "abcdefg-", "a" * 33, "abcdefgh\n", "../../etc"):
        with pytest.raises(InvalidArgument):
            cron_validators.cron_job_id(bad)


def cron_command_and_input(line_command: str) -> tuple[str, str | None]:
    """What Debian's cron (3.0pl1-162) runs for the command part of a line: an unescaped '%'
    ends the command and starts its standard input; a backslash before '%' or '\\' stands for
    that character; a backslash before anything else stays. test_cron_daemon.py shows it on
    the real daemon."""
    command: list[str] = []
    index = 0
    while index < len(line_command):
        char = line_command[index]
        if char == "\\" and line_command[index + 1 : index + 2] in ("\\", "%"):
            command.append(line_command[index + 1])
            index += 2
            continue
        if char == "%":
            return "".join(command), line_command[index + 1 :]
        command.append(char)
        index += 1
    return "".join(command), None


def test_the_model_of_cron_matches_what_debians_cron_does() -> None:
    assert cron_command_and_input("cat%a%b") == ("cat", "a%b")
    assert cron_command_and_input(r"date +\%Y") == ("date +%Y", None)
    assert cron_command_and_input(r"a\\%b") == ("a\\", "b")
    assert cron_command_and_input(r"1[\\] 2[\x] 3[\\x] 4[\]") == (r"1[\] 2[\x] 3[\x] 4[\]", None)


def environment_line(line: str) -> bool:
    """Whether Debian's cron would take the line for a NAME=value setting (env.c reads it with
    sscanf "%[^ =] = %[^\\n#]"): a first word without blanks, then '=' after optional blanks.
    Broader than cron on purpose: any '=' before the second word counts."""
    return re.match(r"[ \t]*[^ \t=]*[ \t]*=", line) is not None


commands = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
) | st.sampled_from(["=x", " =x", "\\%", "\\\\%", "%%", "a\nb", "SHELL=/bin/sh", "\\"])
schedules = st.sampled_from(VALID_SCHEDULES + INVALID_SCHEDULES) | st.text(max_size=30)


@given(st.lists(st.tuples(schedules, commands, st.booleans()), max_size=6))
def test_a_crontab_holds_only_the_header_and_one_line_per_enabled_job(
    specs: list[tuple[str, str, bool]],
) -> None:
    jobs = []
    for number, (schedule, command, enabled) in enumerate(specs):
        try:
            checked = cron_validators.cron_schedule(schedule), cron_validators.cron_command(command)
        except InvalidArgument:
            continue
        jobs.append(CronJob(CronJobId(f"job{number:05d}"), *checked, enabled))
    text = render(jobs)
    assert text.startswith(HEADER)
    # Cron reads an 0xFF byte as the end of a line (a signed char): UTF-8 never holds one.
    assert b"\xff" not in text.encode()
    lines = text[len(HEADER) :].splitlines()
    enabled_jobs = [job for job in jobs if job.enabled]
    assert len(lines) == 2 * len(enabled_jobs)
    for comment, line, job in zip(lines[::2], lines[1::2], enabled_jobs, strict=True):
        assert comment == f"# job {job.id}"
        assert not environment_line(line)
        assert line == f"{job.schedule} {escape_command(job.command)}"
        # What cron runs is the command as given, with no standard input taken from it.
        assert cron_command_and_input(escape_command(job.command)) == (job.command, None)


@given(commands)
def test_every_accepted_command_runs_as_written(command: str) -> None:
    try:
        checked = cron_validators.cron_command(command)
    except InvalidArgument:
        return
    assert cron_command_and_input(escape_command(checked)) == (command, None)


def test_render_is_in_id_order_and_leaves_disabled_jobs_out() -> None:
    jobs = [
        CronJob(CronJobId("bbbbbbbb"), CronSchedule("@daily"), CronCommand("echo 50%"), True),
        CronJob(CronJobId("aaaaaaaa"), CronSchedule("* * * * *"), CronCommand("true"), True),
        CronJob(CronJobId("cccccccc"), CronSchedule("@hourly"), CronCommand("off"), False),
    ]
    assert render(jobs) == (
        HEADER + "# job aaaaaaaa\n* * * * * true\n# job bbbbbbbb\n@daily echo 50\\%\n"
    )
