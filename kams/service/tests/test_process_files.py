"""The default process files (kams/service/processes/*.bpmn): they follow the conventions the
engine relies on, SpiffWorkflow parses and validates them, and every decision branch of every
process runs to an end. No database: the workflows are driven with SpiffWorkflow directly.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[3]
PROCESS_DIR = ROOT / "kams" / "service" / "processes"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
KEYS = [
    "visit_acceptance", "contract_signing", "engineering", "activation_other", "activation_data", "revisit",
    "complaint", "service_transfer", "suggestion", "fault_level1", "fault_level2", "business_plan",
    "qualification_review", "agent_qualification", "arrears", "off_network", "level_change",
    "consultation", "service_request",
]
ROLES = {
    "account_manager", "customer_rep", "business_manager", "director", "province_director", "company_leader",
    "finance", "technician", "maintenance", "club_staff", "channel_manager",
}
ACTIONS = {"spawn_case", "customer_arrears", "credit_regrade", "level_apply", "customer_cancel", "customer_admit",
           "contract_sign", "notify_customer", "classify_case"}
TYPES = {"text", "textarea", "bool", "int", "decimal", "date", "datetime", "choice"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "exclusiveGateway", "callActivity")
FORBIDDEN = ("scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask", "manualTask",
             "timerEventDefinition", "messageEventDefinition", "intermediateCatchEvent", "intermediateThrowEvent")
DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
CONDITION_NODES = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Name,
                   ast.Load, ast.Constant, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


# -- reading the files ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def tree(key: str):
    return etree.parse(str(PROCESS_DIR / f"{key}.bpmn"))


def process_of(key: str):
    return tree(key).getroot().find("bpmn:process", NS)


def props(element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in
            element.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)}


def fields(key: str) -> list[dict]:
    """Every field a case of this process may hold: start form first, then each step's form."""
    process = process_of(key)
    found = json.loads(props(process).get("start_form") or "[]")
    for task in process.findall("bpmn:userTask", NS):
        found += json.loads(props(task).get("form") or "[]")
    return found


def called(key: str) -> set[str]:
    return {c.get("calledElement") for c in process_of(key).findall("bpmn:callActivity", NS)}


@lru_cache(maxsize=1)
def parser() -> SpiffBpmnParser:
    """One parser holding every file (so call activities resolve), validating against the XSDs."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for key in KEYS:
        parser.add_bpmn_file(str(PROCESS_DIR / f"{key}.bpmn"))
    return parser


@lru_cache(maxsize=None)
def specs(key: str):
    return parser().get_spec(key), parser().get_subprocess_specs(key)


# -- static conventions --------------------------------------------------------------------------


def test_process_files_are_exactly_the_shipped_processes():
    assert sorted(p.stem for p in PROCESS_DIR.glob("*.bpmn")) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_process_file_parses_and_validates(key):
    spec, subprocess_specs = specs(key)

    assert spec.name == key
    assert called(key) <= set(subprocess_specs)


@pytest.mark.parametrize("key", KEYS)
def test_process_file_declares_the_process_properties(key):
    root = tree(key).getroot()
    processes = root.findall("bpmn:process", NS)
    participants = root.findall("bpmn:collaboration/bpmn:participant", NS)
    values = props(processes[0])

    assert len(processes) == 1 and processes[0].get("isExecutable") == "true" and processes[0].get("name")
    assert [p.get("processRef") for p in participants] == [key]
    assert values["name_en"]
    assert values["channel"] in {"green", "yellow", "red", "general"}
    assert values["calendar"] in {"24x7", "working"}
    assert values["calendar"] == ("24x7" if key.startswith("fault_") else "working")
    assert values["customer_required"] == ("false" if key in {"business_plan", "agent_qualification", "service_request", "consultation"} else "true")
    if values.get("resolution_limit"):
        assert DURATION.match(values["resolution_limit"])
    for tag in FORBIDDEN:
        assert not root.findall(f".//bpmn:{tag}", NS), tag


@pytest.mark.parametrize("key", KEYS)
def test_every_flow_node_is_in_one_lane_named_by_a_role(key):
    process = process_of(key)
    nodes = [n.get("id") for tag in FLOW_NODES for n in process.findall(f"bpmn:{tag}", NS)]
    refs = [(lane.get("name"), ref.text) for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)
            for ref in lane.findall("bpmn:flowNodeRef", NS)]

    assert {name for name, _ in refs} <= ROLES
    assert sorted(ref for _, ref in refs) == sorted(nodes)


@pytest.mark.parametrize("key", KEYS)
def test_every_user_task_has_a_time_limit_an_escalation_chain_and_a_valid_form(key):
    tasks = process_of(key).findall("bpmn:userTask", NS)

    assert tasks
    for task in tasks:
        values = props(task)
        match = DURATION.match(values.get("time_limit", ""))
        assert task.get("name") and values.get("name_en"), task.get("id")
        assert match and any(match.groups()) and any(float(g) > 0 for g in match.groups() if g), task.get("id")
        assert values.get("calendar", "working") in {"24x7", "working"}
        chain = [c.strip() for c in values.get("escalate_to", "").split(",") if c.strip()]
        assert chain and set(chain) <= ROLES, task.get("id")
        assert isinstance(json.loads(values["form"]), list)
        if values.get("action"):
            assert values["action"] in ACTIONS
        assert bool(values.get("spawn")) == (values.get("action") == "spawn_case")
        if values.get("spawn"):
            assert values["spawn"] in KEYS


@pytest.mark.parametrize("key", KEYS)
def test_form_fields_are_well_formed_and_unique_within_the_process(key):
    found = fields(key)
    names = [f["name"] for f in found]

    assert len(names) == len(set(names))
    for field in found:
        assert FIELD_NAME.match(field["name"]) and field["type"] in TYPES and field["label"] and field["label_en"]
        assert isinstance(field["required"], bool)
        if field["type"] == "choice":
            assert field["choices"] and all(len(c) == 3 for c in field["choices"])


@pytest.mark.parametrize("key", KEYS)
def test_actions_find_the_fields_they_read(key):
    for task in process_of(key).findall("bpmn:userTask", NS):
        values = props(task)
        names = {f["name"] for f in json.loads(values["form"])}
        needed = {"customer_arrears": "arrears_amount", "level_apply": "new_level", "customer_cancel": "reason",
                  "notify_customer": "message"}.get(values.get("action", ""))
        if needed:
            assert needed in names, task.get("id")
    if "contract_sign" in {props(t).get("action") for t in process_of(key).findall("bpmn:userTask", NS)}:
        assert "contract_id" in {f["name"] for f in fields(key)}


@pytest.mark.parametrize("key", KEYS)
def test_call_activities_share_no_field_names_with_the_caller(key):
    """A called process's data flows back into the caller: no name may mean two things."""
    mine = {f["name"] for f in fields(key)}
    for other in called(key):
        assert called(other) <= set(KEYS)
        assert not mine & {f["name"] for f in fields(other)}, other


def _check_condition(text: str) -> set[str]:
    tree_ = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree_):
        assert isinstance(node, CONDITION_NODES), f"{text!r}: {type(node).__name__}"
    return {n.id for n in ast.walk(tree_) if isinstance(n, ast.Name)} - {"True", "False", "None"}


@pytest.mark.parametrize("key", KEYS)
def test_gateways_have_a_default_and_simple_conditions_over_form_fields(key):
    process = process_of(key)
    flows = {f.get("id"): f for f in process.findall("bpmn:sequenceFlow", NS)}
    names = {f["name"] for f in fields(key)}

    for gateway in process.findall("bpmn:exclusiveGateway", NS):
        outgoing = [flows[o.text] for o in gateway.findall("bpmn:outgoing", NS)]
        assert gateway.get("default") in {f.get("id") for f in outgoing}
        for flow in outgoing:
            condition = flow.find("bpmn:conditionExpression", NS)
            if flow.get("id") == gateway.get("default"):
                assert condition is None
            else:
                assert _check_condition(condition.text) <= names, condition.text


@pytest.mark.parametrize("key", KEYS)
def test_diagram_draws_every_lane_node_and_flow(key):
    root = tree(key).getroot()
    process = process_of(key)
    shapes = {s.get("bpmnElement") for s in root.findall(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.findall(".//bpmndi:BPMNEdge", NS)}
    elements = [n.get("id") for tag in FLOW_NODES for n in process.findall(f"bpmn:{tag}", NS)]
    elements += [lane.get("id") for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)]
    elements += [p.get("id") for p in root.findall("bpmn:collaboration/bpmn:participant", NS)]

    assert set(elements) <= shapes
    for flow in process.findall("bpmn:sequenceFlow", NS):
        assert len(edges[flow.get("id")].findall("di:waypoint", NS)) >= 2


def test_generator_check_finds_the_files_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bpmn_gen.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)

    assert result.returncode == 0, result.stderr


# -- running every branch -----------------------------------------------------------------------

DUMMY = {"text": "测试", "textarea": "测试内容", "int": 3, "decimal": 1200.5, "date": "2025-03-14",
         "datetime": "2025-03-14T10:30:00", "bool": True}

# Per process: (answers, steps that must be passed, steps that must not be, times a step runs).
# An answer list is used one value per visit, the last one repeating; an unanswered bool is True.
# Steps of a called process are written "<process>:<step>".
_SIGNED = {"contract_customer_ok": True, "contract_director_ok": True, "contract_over_authority": False}
SCENARIOS = {
    "visit_acceptance": [
        ({"initial_intent": False}, ["archive", "end_potential"], ["clarify"], {}),
        ({"initial_intent": True, "review_passed": True, "customer_satisfied": True},
         ["clarify", "tech_plan", "sign_intent", "end_intent"], ["archive"], {"tech_plan": 1}),
        ({"review_passed": [False, True], "project_feasible": True, "customer_satisfied": [False, True]},
         ["sign_intent"], ["archive"], {"tech_plan": 3, "plan_review": 3}),
        ({"review_passed": False, "project_feasible": False}, ["plan_review", "archive"], ["submit_plan"], {}),
    ],
    "contract_signing": [
        (_SIGNED, ["director_review", "sign", "archive"], ["leader_approve"], {"draft": 1}),
        ({"contract_customer_ok": [False, True], "contract_over_authority": True, "contract_leader_ok": True},
         ["leader_approve", "sign"], [], {"draft": 2, "customer_review": 2}),
        ({"contract_director_ok": [False, True], "contract_over_authority": True, "contract_leader_ok": [False, True]},
         ["leader_approve", "sign"], [], {"draft": 3, "leader_approve": 2}),
    ],
    "engineering": [
        ({"joint_test_ok": True, "acceptance_ok": True}, ["build", "acceptance", "settle"], ["rectify"], {}),
        ({"joint_test_ok": [False, True], "acceptance_ok": [False, True]}, ["rectify", "settle"], [],
         {"rectify": 2, "joint_test": 3, "acceptance": 2}),
    ],
    "activation_other": [
        ({"act_contract_signed": True, "act_need_engineering": False, "act_amount_matches": True},
         ["collect", "invoice", "open", "notify"], ["urge", "correct", "contract_signing:draft", "engineering:build"],
         {}),
        ({"act_contract_signed": False, "act_need_engineering": True, "act_amount_matches": [False, True], **_SIGNED,
          "joint_test_ok": True, "acceptance_ok": True},
         ["urge", "contract_signing:sign", "engineering:settle", "correct", "notify"], [], {"check": 2}),
    ],
    "activation_data": [
        ({"data_amount_matches": True}, ["collect", "invoice", "open", "notify"], ["recheck"], {}),
        ({"data_amount_matches": [False, True]}, ["recheck", "notify"], [], {"check": 2}),
    ],
    "revisit": [
        ({"problems_found": False, "opportunity_found": False}, ["record", "summary"], ["handle", "to_acceptance"], {}),
        ({"problems_found": True, "opportunity_found": True}, ["handle", "to_acceptance"], [], {}),
    ],
    "complaint": [
        ({"manager_solved": True, "complaint_satisfied": True}, ["manager", "reply", "archive"], ["director"], {}),
        ({"manager_solved": False, "director_solved": True, "complaint_satisfied": True}, ["director", "reply"],
         ["leader"], {}),
        ({"manager_solved": False, "director_solved": False, "complaint_satisfied": True},
         ["leader", "dept_feedback", "reply"], ["fault_level2:accept"], {}),
        ({"manager_solved": True, "complaint_satisfied": [False, True], "yellow_can_solve": True}, ["archive"],
         ["fault_level2:accept"], {"manager": 2, "reply": 2}),
        ({"manager_solved": True, "complaint_satisfied": False, "yellow_can_solve": False, "need_compensation": False},
         ["fault_level2:accept", "fault_level2:track", "archive"], [], {"manager": 1}),
    ],
    "service_transfer": [
        ({"meets_criteria": True}, ["hand_list", "transfer", "first_contact", "end_transferred"], [], {}),
        ({"meets_criteria": False}, ["end_not_selected"], ["hand_list"], {}),
    ],
    "suggestion": [
        ({"needs_handling": True}, ["notify_dept", "handle", "reply", "thank"], [], {}),
        ({"needs_handling": False}, ["thank"], ["handle"], {}),
    ],
    "fault_level1": [
        ({"need_compensation": False}, ["backup", "solution", "track", "aftercare"], ["execute"], {}),
        ({"need_compensation": True, "in_contract": True}, ["compensation_submit", "execute"], ["negotiate"], {}),
        ({"need_compensation": True, "in_contract": False, **_SIGNED},
         ["negotiate", "contract_signing:sign", "execute"], ["compensation_submit"], {}),
    ],
    "fault_level2": [
        ({"need_compensation": False}, ["solution", "track", "aftercare"], ["execute"], {}),
        ({"need_compensation": True, "in_contract": True}, ["compensation_submit", "execute"], ["negotiate"], {}),
        ({"need_compensation": True, "in_contract": False, **_SIGNED},
         ["negotiate", "contract_signing:sign", "execute"], ["compensation_submit"], {}),
    ],
    "business_plan": [
        ({"plan_reviewed_ok": True, "plan_approved": True}, ["publish", "decompose"], [], {"draft": 1}),
        ({"plan_reviewed_ok": [False, True], "plan_approved": [False, True]}, ["decompose"], [], {"draft": 3}),
    ],
    "qualification_review": [
        ({"data_verified": True, "qualified": True}, ["admit", "credit", "end_admitted"], ["reject"], {}),
        ({"data_verified": [False, True], "qualified": False}, ["reject", "end_rejected"], ["admit"], {"apply": 2}),
    ],
    "agent_qualification": [
        ({"agent_docs_ok": True, "deposit_ok": True, "agent_approved": True}, ["register"], ["reject"], {}),
        ({"agent_docs_ok": False}, ["reject"], ["deposit"], {}),
        ({"agent_docs_ok": True, "deposit_ok": False}, ["deposit", "reject"], ["decide"], {}),
        ({"agent_docs_ok": True, "deposit_ok": True, "agent_approved": False}, ["decide", "reject"], ["register"], {}),
    ],
    "arrears": [
        ({"paid_in_full": True}, ["end_paid"], ["dunning", "regrade"], {}),
        ({"paid_in_full": False, "paid_after_dunning": True}, ["dunning", "regrade"], ["record"], {}),
        ({"paid_in_full": False, "paid_after_dunning": False}, ["dunning", "record", "regrade"], [], {}),
    ],
    "off_network": [
        ({"retained": True}, ["retain", "end_retained"], ["cancel"], {}),
        ({"retained": False}, ["settle", "cancel", "churn_analysis", "end_left"], [], {}),
    ],
    "level_change": [
        ({"approved": False}, ["keep", "end_kept"], ["apply"], {}),
        ({"approved": True, "club_member": True}, ["apply", "club_card", "notify"], ["keep"], {}),
        ({"approved": True, "club_member": False}, ["apply", "notify"], ["club_card"], {}),
    ],
    "consultation": [
        ({"answered": True}, ["answer", "satisfaction_check"], ["expert"], {}),
        ({"answered": False}, ["expert", "reply", "satisfaction_check"], [], {}),
    ],
    "service_request": [
        ({"category": "other"}, ["classify", "handle"], [], {}),
        ({"category": "complaint"}, ["classify"], ["handle"], {}),
    ],
}


def _answer(field: dict, answers: dict, used: dict):
    name = field["name"]
    if name in answers:
        value = answers[name]
        if isinstance(value, list):
            index = used.get(name, 0)
            used[name] = index + 1
            return value[min(index, len(value) - 1)]
        return value
    if field["type"] == "choice":
        return field["choices"][0][0]
    return DUMMY[field["type"]]


def _label(task, key: str) -> str:
    owner = task.workflow.spec.name
    return task.task_spec.bpmn_id if owner == key else f"{owner}:{task.task_spec.bpmn_id}"


def run_scenario(key: str, answers: dict) -> tuple[list[str], set[str], set[tuple[str, str]]]:
    """Drive one case to its end; returns the steps run (in order), every completed node and
    the (gateway, next node) pairs taken in the process itself."""
    spec, subprocess_specs = specs(key)
    workflow = BpmnWorkflow(spec, subprocess_specs)
    start_form = json.loads(props(process_of(key)).get("start_form") or "[]")
    used: dict[str, int] = {}
    workflow.task_tree.data.update({f["name"]: _answer(f, answers, used) for f in start_form})
    workflow.do_engine_steps()
    steps, completed, taken = [], set(), set()
    for _ in range(200):
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        form = json.loads(task.task_spec.extensions["properties"].get("form") or "[]")
        task.set_data(**{f["name"]: _answer(f, answers, used) for f in form})
        steps.append(_label(task, key))
        task.run()
        for done in workflow.get_tasks(state=TaskState.COMPLETED):
            completed.add(_label(done, key))
            if isinstance(done.task_spec, ExclusiveGateway) and done.workflow.spec.name == key:
                for child in done.children:
                    if child.state == TaskState.COMPLETED or child.state == TaskState.READY:
                        taken.add((done.task_spec.bpmn_id, child.task_spec.bpmn_id))
        workflow.do_engine_steps()
    assert workflow.is_completed(), f"{key} stuck after {steps}"
    for done in workflow.get_tasks(state=TaskState.COMPLETED):
        completed.add(_label(done, key))
        if isinstance(done.task_spec, ExclusiveGateway) and done.workflow.spec.name == key:
            taken.update((done.task_spec.bpmn_id, c.task_spec.bpmn_id) for c in done.children
                         if c.state == TaskState.COMPLETED)
    return steps, completed, taken


@pytest.mark.parametrize("key", KEYS)
def test_every_decision_branch_runs_to_the_end(key):
    gateway_flows = set()
    process = process_of(key)
    gateways = {g.get("id") for g in process.findall("bpmn:exclusiveGateway", NS)}
    for flow in process.findall("bpmn:sequenceFlow", NS):
        if flow.get("sourceRef") in gateways:
            gateway_flows.add((flow.get("sourceRef"), flow.get("targetRef")))
    taken_by_all = set()

    for answers, passes, skips, counts in SCENARIOS[key]:
        steps, completed, taken = run_scenario(key, answers)

        assert set(passes) <= completed, (answers, sorted(set(passes) - completed))
        assert not set(skips) & completed, (answers, sorted(set(skips) & completed))
        for step, times in counts.items():
            assert steps.count(step) == times, (answers, step, steps)
        taken_by_all |= taken

    assert taken_by_all == gateway_flows, sorted(gateway_flows - taken_by_all)
