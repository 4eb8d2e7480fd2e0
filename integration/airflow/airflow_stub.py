"""A stand-in for the parts of Airflow's API the example DAG uses (Airflow cannot be installed
on the test machines). It records the DAG as Airflow would see it and runs it with Airflow's
semantics for what the DAG relies on; it proves the DAG's wiring and commands, not Airflow.

- DAG: a context manager collecting tasks; default_args merged into each task.
- BashOperator: accepts only the keyword arguments of Airflow 2.6+'s BashOperator/BaseOperator
  the DAG may use; `>>` sets dependencies.
- run_dag(): tasks in dependency order under trigger rule all_success; exit 0 → success
  (last stdout line → XCom), exit == skip_on_exit_code → skipped, else failed after
  `retries` re-runs. Templates rendered: "{{ params.x }}" from the run's conf over params,
  "{{ var.value.get('name', 'default') }}" from AIRFLOW_VAR_<NAME> environment variables (as
  Airflow reads Variables from the environment), else the default.
"""
import os
import re
import subprocess
import sys
import types

ALLOWED = {"task_id", "bash_command", "env", "append_env", "skip_on_exit_code", "pool",
           "retries", "retry_delay", "retry_exponential_backoff", "execution_timeout",
           "do_xcom_push", "owner", "trigger_rule", "cwd", "output_encoding"}


class DAG:
    current = None

    def __init__(self, dag_id, default_args=None, params=None, **kwargs):
        self.dag_id = dag_id
        self.default_args = default_args or {}
        self.params = params or {}
        self.kwargs = kwargs
        self.tasks = {}

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None


class BashOperator:
    def __init__(self, task_id, **kwargs):
        unknown = set(kwargs) - ALLOWED
        if unknown:
            raise TypeError(f"{task_id}: not a BashOperator argument: {sorted(unknown)}")
        self.task_id = task_id
        self.args = {"retries": 0, "do_xcom_push": True, "append_env": False,
                     **DAG.current.default_args, **kwargs}
        self.upstream, self.downstream = set(), set()
        DAG.current.tasks[task_id] = self

    def __rshift__(self, other):
        for o in other if isinstance(other, list) else [other]:
            self.downstream.add(o.task_id)
            o.upstream.add(self.task_id)
        return other


def install():
    """Makes `import airflow…` find this stub."""
    modules = {name: types.ModuleType(name) for name in
               ["airflow", "airflow.operators", "airflow.operators.bash"]}
    modules["airflow"].DAG = DAG
    modules["airflow.operators.bash"].BashOperator = BashOperator
    sys.modules.update(modules)


def render(text, params):
    text = re.sub(r"\{\{\s*params\.(\w+)\s*\}\}", lambda m: str(params[m.group(1)]), text)
    variable = r"\{\{\s*var\.value\.get\('(\w+)',\s*'([^']*)'\)\s*\}\}"
    return re.sub(variable, lambda m: os.environ.get("AIRFLOW_VAR_" + m.group(1).upper(), m.group(2)), text)


def run_task(task, params):
    """(state, xcom, attempts) of one task instance, with its retries."""
    env = {k: render(v, params) for k, v in task.args.get("env", {}).items()}
    if task.args["append_env"]:
        env = {**os.environ, **env}
    for attempt in range(1, task.args["retries"] + 2):
        done = subprocess.run(["bash", "-c", task.args["bash_command"]], env=env,
                              capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode == task.args.get("skip_on_exit_code"):
            return "skipped", None, attempt
        if done.returncode == 0:
            lines = done.stdout.strip().splitlines()
            return "success", lines[-1] if lines else None, attempt
    return "failed", None, attempt


def run_dag(dag, conf):
    """{task_id: (state, xcom, attempts)} for one DAG run."""
    params = {**dag.params, **conf}
    states, pending = {}, dict(dag.tasks)
    while pending:
        ready = [t for t in pending.values() if t.upstream <= states.keys()]
        for task in ready:
            del pending[task.task_id]
            upstream = [states[u][0] for u in task.upstream]
            if any(s in ("failed", "upstream_failed") for s in upstream):
                states[task.task_id] = ("upstream_failed", None, 0)
            elif any(s == "skipped" for s in upstream):
                states[task.task_id] = ("skipped", None, 0)
            else:
                states[task.task_id] = run_task(task, params)
    return states
