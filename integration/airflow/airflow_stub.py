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
- @task (TaskFlow): a call with an operator's `.output` (an XComArg) makes a task downstream of
  it whose argument is that XCom; its return value is its XCom; AirflowFailException fails it
  without retries.
- TriggerDagRunOperator.partial(...).expand_kwargs(xcom): one trigger per element (Airflow's
  dynamic task mapping: zero elements → skipped, more than max_map_length 1024 → failed). A
  trigger records the run in `triggered` (run id → dag id, conf) and in `pending`, for the
  test to run like a scheduler would; a run id that exists fails it, or skips it with
  skip_when_already_exists.
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


BASE_ARGS = {"task_id", "retries", "retry_delay", "retry_exponential_backoff", "execution_timeout",
             "pool", "owner", "trigger_rule", "do_xcom_push", "queue"}
TRIGGER_ARGS = BASE_ARGS | {"trigger_dag_id", "trigger_run_id", "conf", "logical_date", "reset_dag_run",
                            "wait_for_completion", "poke_interval", "allowed_states", "failed_states",
                            "skip_when_already_exists", "deferrable"}
MAX_MAP_LENGTH = 1024
triggered = {}  # run id -> (dag id, conf), as Airflow's dag_run table
pending = []    # (dag id, conf) of the runs triggered and not yet run by the test


class AirflowFailException(Exception):
    pass


class XComArg:
    def __init__(self, task):
        self.task = task


class Task:
    def __init__(self, task_id, allowed, kwargs):
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{task_id}: not an argument of {type(self).__name__}: {sorted(unknown)}")
        self.task_id = task_id
        self.args = {"retries": 0, "do_xcom_push": True, "append_env": False,
                     **DAG.current.default_args, **kwargs}
        self.upstream, self.downstream = set(), set()
        DAG.current.tasks[task_id] = self

    @property
    def output(self):
        return XComArg(self)

    def __rshift__(self, other):
        for o in other if isinstance(other, list) else [other]:
            self.downstream.add(o.task_id)
            o.upstream.add(self.task_id)
        return other


class BashOperator(Task):
    def __init__(self, task_id, **kwargs):
        super().__init__(task_id, ALLOWED, kwargs)

    def run(self, params, states):
        return run_task(self, params)


class PythonTask(Task):
    def __init__(self, function, task_args, call_args):
        super().__init__(function.__name__, BASE_ARGS, task_args)
        self.function, self.call_args = function, call_args
        for arg in call_args:
            if isinstance(arg, XComArg):
                arg.task >> self

    def run(self, params, states):
        args = [states[a.task.task_id][1] if isinstance(a, XComArg) else a for a in self.call_args]
        for attempt in range(1, self.args["retries"] + 2):
            try:
                return "success", self.function(*args), attempt
            except AirflowFailException as e:
                sys.stderr.write(f"{self.task_id}: {e}\n")
                return "failed", None, attempt
            except Exception as e:  # noqa: BLE001 - Airflow retries any other exception
                sys.stderr.write(f"{self.task_id}: {type(e).__name__}: {e}\n")
        return "failed", None, attempt


def task(function=None, **task_args):
    """@task and @task(retries=…): calling the function adds a task to the current DAG."""
    def decorate(f):
        return lambda *call_args: PythonTask(f, task_args, call_args).output
    return decorate(function) if function else decorate


class PartialTrigger:
    def __init__(self, kwargs):
        self.kwargs = kwargs

    def expand_kwargs(self, xcom):
        return MappedTrigger(self.kwargs, xcom)


class MappedTrigger(Task):
    def __init__(self, kwargs, xcom):
        super().__init__(kwargs.pop("task_id"), TRIGGER_ARGS, kwargs)
        xcom.task >> self
        self.source = xcom.task.task_id

    def run(self, params, states):
        elements = states[self.source][1]
        if not elements:
            return "skipped", [], 0
        if len(elements) > MAX_MAP_LENGTH:
            return "failed", None, 0
        instances = []
        for element in elements:
            unknown = set(element) - TRIGGER_ARGS
            if unknown:
                raise TypeError(f"{self.task_id}: expand_kwargs gives unknown arguments {sorted(unknown)}")
            instances.append(trigger({**self.args, **element}))
        state = "failed" if "failed" in instances else "success"
        return state, instances, 1


def trigger(args):
    """One mapped instance: "success", "skipped" (the run exists) or "failed"."""
    run_id = args.get("trigger_run_id") or f"manual__{len(triggered)}"
    if run_id in triggered:
        return "skipped" if args.get("skip_when_already_exists") else "failed"
    triggered[run_id] = (args["trigger_dag_id"], args.get("conf", {}))
    pending.append(triggered[run_id])
    return "success"


class TriggerDagRunOperator:
    @staticmethod
    def partial(**kwargs):
        return PartialTrigger(kwargs)


def install():
    """Makes `import airflow…` find this stub."""
    modules = {name: types.ModuleType(name) for name in
               ["airflow", "airflow.operators", "airflow.operators.bash", "airflow.decorators",
                "airflow.exceptions", "airflow.operators.trigger_dagrun"]}
    modules["airflow"].DAG = DAG
    modules["airflow.operators.bash"].BashOperator = BashOperator
    modules["airflow.decorators"].task = task
    modules["airflow.exceptions"].AirflowFailException = AirflowFailException
    modules["airflow.operators.trigger_dagrun"].TriggerDagRunOperator = TriggerDagRunOperator
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
                states[task.task_id] = task.run(params, states)
    return states
