"""The process engine (ARCHITECTURE §4): BPMN 2.0 files executed by SpiffWorkflow.

Conventions a process file follows (docs/processes.md says more):

* lanes are named by role code (``account_manager``, ``director``, ``maintenance`` …);
* every user task carries ``spiffworkflow:properties``: ``time_limit`` (ISO-8601, e.g.
  ``PT30M``, ``P0.5D``), ``escalate_to`` (role codes), optionally ``calendar``, ``form``,
  ``action``, ``spawn``, ``name_en``;
* the process itself carries ``name_en``, ``channel``, ``calendar``, ``resolution_limit``,
  ``start_form`` and ``customer_required``;
* gateway conditions only compare form fields; script and service tasks are refused.

``definition_check`` proves all of that before a definition is stored; ``workflow_new`` and
``workflow_load`` give the running SpiffWorkflow object for a case.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from kams.service import forms_spec
from kams.service.calendar import parse_limit
from kams.service.enums import CalendarKind, Channel
from kams.service.errors import InvalidProcess

PROCESS_DIR = Path(__file__).parent / "processes"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
_FORBIDDEN = ("scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask")
_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Name, ast.Load,
    ast.Constant, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Tuple, ast.List,
)

serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


@dataclass
class Parsed:
    """What a BPMN file declares, read before it is stored."""

    key: str
    name: str
    name_en: str = ""
    channel: str = Channel.GENERAL
    calendar: str = CalendarKind.WORKING
    resolution_limit: str = ""
    customer_required: bool = True
    start_form: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    called: set = field(default_factory=set)


def _properties(node: Any) -> dict[str, str]:
    props = {}
    for prop in node.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        props[prop.get("name")] = prop.get("value", "")
    return props


def condition_check(text: str) -> None:
    """Only comparisons of form fields with constants: no calls, attributes or subscripts."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InvalidProcess(problem=f"condition {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise InvalidProcess(problem=f"condition {text!r} may only compare form fields ({type(node).__name__})")


def read_definition(xml: bytes, *, roles: set[str], actions: set[str]) -> Parsed:
    """Read and check one BPMN file without executing it. Raises InvalidProcess."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InvalidProcess(problem=f"not XML: {exc}") from None
    processes = [p for p in root.findall("bpmn:process", NS) if p.get("isExecutable", "true") == "true"]
    if len(processes) != 1:
        raise InvalidProcess(problem="the file must hold exactly one executable bpmn:process")
    process = processes[0]
    props = _properties(process)
    parsed = Parsed(
        key=process.get("id", ""), name=process.get("name") or process.get("id", ""), name_en=props.get("name_en", ""),
        channel=props.get("channel", Channel.GENERAL), calendar=props.get("calendar", CalendarKind.WORKING),
        resolution_limit=props.get("resolution_limit", ""),
        customer_required=props.get("customer_required", "true").lower() != "false",
    )
    if not parsed.key or len(parsed.key) > 64:
        raise InvalidProcess(problem="the process needs an id of at most 64 characters")
    if parsed.channel not in Channel.values:
        raise InvalidProcess(problem=f"channel {parsed.channel!r} is not one of {', '.join(Channel.values)}")
    if parsed.calendar not in CalendarKind.values:
        raise InvalidProcess(problem=f"calendar {parsed.calendar!r} is not one of {', '.join(CalendarKind.values)}")
    try:
        parsed.start_form = forms_spec.form_fields(props.get("start_form"))
        if parsed.resolution_limit:
            parse_limit(parsed.resolution_limit)
    except ValueError as exc:
        raise InvalidProcess(problem=f"start_form: {exc}") from None
    except Exception as exc:  # InvalidInput from parse_limit
        raise InvalidProcess(problem=f"resolution_limit: {exc}") from None
    for tag in _FORBIDDEN:
        if process.findall(f".//bpmn:{tag}", NS):
            raise InvalidProcess(problem=f"{tag} is not allowed: steps are user tasks and effects are actions")
    lanes = {}
    for lane in process.findall(".//bpmn:lane", NS):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[ref.text.strip()] = lane.get("name", "")
    for task in process.findall(".//bpmn:userTask", NS):
        task_id, task_props = task.get("id"), _properties(task)
        label = task.get("name") or task_id
        role = lanes.get(task_id, "")
        if role not in roles:
            raise InvalidProcess(problem=f"step {label}: lane {role or '(none)'} is not a role code")
        try:
            parse_limit(task_props.get("time_limit", ""))
        except Exception as exc:
            raise InvalidProcess(problem=f"step {label}: {exc}") from None
        calendar = task_props.get("calendar", parsed.calendar)
        if calendar not in CalendarKind.values:
            raise InvalidProcess(problem=f"step {label}: calendar {calendar!r} is unknown")
        chain = [c.strip() for c in task_props.get("escalate_to", "").split(",") if c.strip()]
        unknown = [c for c in chain if c not in roles]
        if unknown:
            raise InvalidProcess(problem=f"step {label}: escalate_to names unknown roles {', '.join(unknown)}")
        try:
            form = forms_spec.form_fields(task_props.get("form"))
        except ValueError as exc:
            raise InvalidProcess(problem=f"step {label}: {exc}") from None
        action = task_props.get("action", "")
        if action and action not in actions:
            raise InvalidProcess(problem=f"step {label}: action {action!r} is not a registered action")
        parsed.steps.append({
            "id": task_id, "name": label, "name_en": task_props.get("name_en", ""), "role": role,
            "time_limit": task_props["time_limit"], "calendar": calendar, "escalate_to": chain,
            "form": form, "action": action, "spawn": task_props.get("spawn", ""),
        })
    for flow in process.findall(".//bpmn:sequenceFlow", NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            condition_check(condition.text)
    parsed.called = {c.get("calledElement") for c in process.findall(".//bpmn:callActivity", NS)}
    return parsed


def parser_for(files: dict[str, bytes]) -> SpiffBpmnParser:
    parser = SpiffBpmnParser()
    for key, xml in files.items():
        parser.add_bpmn_str(xml, filename=f"{key}.bpmn")
    return parser


def specs_check(key: str, files: dict[str, bytes]) -> None:
    """Let SpiffWorkflow itself build the specs (it resolves call activities)."""
    try:
        parser = parser_for(files)
        parser.get_spec(key)
        parser.get_subprocess_specs(key)
    except (ValidationException, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise InvalidProcess(problem=str(exc)[:300]) from None


def sha256(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def package_files() -> dict[str, bytes]:
    return {path.stem: path.read_bytes() for path in sorted(PROCESS_DIR.glob("*.bpmn"))}


@functools.lru_cache(maxsize=256)
def _specs(key: str, files: tuple[tuple[str, str], ...]) -> tuple[Any, dict]:
    parser = parser_for({k: xml.encode() for k, xml in files})
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def workflow_new(definition: Any, called: dict[str, str], data: dict[str, Any]) -> BpmnWorkflow:
    """A fresh workflow for ``definition`` (its call activities resolved against ``called``:
    key → XML of the active versions), started with ``data`` and run to its first steps."""
    files = tuple(sorted({definition.key: definition.bpmn, **called}.items()))
    spec, subprocess_specs = _specs(definition.key, files)
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    return workflow


def workflow_load(state: str) -> BpmnWorkflow:
    return serializer.deserialize_json(state)


def workflow_dump(workflow: BpmnWorkflow) -> str:
    return serializer.serialize_json(workflow)


def ready_steps(workflow: BpmnWorkflow) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def step_properties(task: Any) -> dict[str, str]:
    return dict(task.task_spec.extensions.get("properties", {}))


def step_form(task: Any) -> list[dict]:
    return forms_spec.form_fields(step_properties(task).get("form"))


def completed_step_ids(workflow: BpmnWorkflow) -> list[str]:
    return [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id]


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))
