"""What the DAG tests share: loading a DAG file through the Airflow stand-in, and checking
every rawbackup command a DAG builds against the binary's own --help."""
import importlib.util
import re
import shlex
import subprocess
from pathlib import Path

import airflow_stub

HERE = Path(__file__).resolve().parent


def load_dag(name):
    """The `dag` of HERE/<name>.py, as the stand-in sees it."""
    airflow_stub.install()
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def rawbackup_invocations(bash_command):
    """The words of each `"$RAWBACKUP" …` in a bash command, up to a pipe, `)` or the line's end."""
    return [shlex.split(m) for m in re.findall(r'"\$RAWBACKUP"([^|)\n]*)', bash_command)]


def check_commands_against_help(t, binary, dag):
    """Each rawbackup command the DAG builds: a real subcommand, every option in its --help."""
    def help_text(*args):
        return subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True).stdout

    global_help = help_text()
    for task in dag.tasks.values():
        for words in rawbackup_invocations(task.args.get("bash_command", "")):
            sub = next(w for w in words if not w.startswith("-") and not w.startswith("$"))
            sub_help = help_text(sub)
            t.check(f"{task.task_id}: '{sub}' is a subcommand", sub in global_help and sub_help != "")
            for option in (w for w in words if w.startswith("--")):
                t.check(f"{task.task_id}: {option} in --help", option in sub_help or option in global_help)
