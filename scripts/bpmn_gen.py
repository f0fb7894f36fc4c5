#!/usr/bin/env python3
"""Write the default BPMN process files from kams/service/processes/specs.py.

    python scripts/bpmn_gen.py            # (re)write kams/service/processes/<key>.bpmn
    python scripts/bpmn_gen.py --check    # exit 1 if a file is missing, stale or unknown
    python scripts/bpmn_gen.py --tables   # print the step tables of docs/processes.md

The output is deterministic (same specs → byte-identical files). Each file holds one
executable process with a collaboration of one participant, lanes named by role code,
SpiffWorkflow properties on the process and on every user task, and a BPMNDI diagram laid
out left to right: column = longest-path rank from the start event (loops ignored), row =
lane, nodes sharing a lane and a column stacked inside the lane.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
PROCESS_DIR = ROOT / "kams" / "service" / "processes"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "spiffworkflow": SPIFF}

TAGS = {"start": "startEvent", "end": "endEvent", "task": "userTask", "gateway": "exclusiveGateway",
        "call": "callActivity"}
SIZES = {"start": (36, 36), "end": (36, 36), "task": (100, 80), "call": (100, 80), "gateway": (50, 50)}
POOL_LABEL = 30  # the participant's name strip
LANE_LABEL = 30  # each lane's name strip
COLUMN = 170
ROW = 130
MARGIN = 40


def load_specs():
    """Import specs.py by path: it is pure data and must not pull in Django."""
    spec = importlib.util.spec_from_file_location("kams_process_specs", PROCESS_DIR / "specs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _flows(process: dict) -> list[dict]:
    """Normalised flows with stable ids: ``Flow_<source>_<target>``."""
    flows, seen = [], set()
    for raw in process["flows"]:
        source, target = raw[0], raw[1]
        condition = raw[2] if len(raw) > 2 else None
        label = raw[3] if len(raw) > 3 else ""
        flow_id = f"Flow_{source}_{target}"
        if flow_id in seen:
            raise ValueError(f"{process['key']}: flow {source} → {target} appears twice")
        seen.add(flow_id)
        flows.append({"id": flow_id, "source": source, "target": target, "condition": condition, "label": label})
    return flows


def _check(process: dict, flows: list[dict]) -> None:
    ids = [n["id"] for n in process["nodes"]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{process['key']}: duplicate node ids")
    known = set(ids)
    for flow in flows:
        if flow["source"] not in known or flow["target"] not in known:
            raise ValueError(f"{process['key']}: flow {flow['id']} names an unknown node")
    for node in process["nodes"]:
        if node["lane"] not in process["lanes"]:
            raise ValueError(f"{process['key']}: node {node['id']} is in lane {node['lane']}, not declared")
        if node["type"] == "gateway":
            out = [f for f in flows if f["source"] == node["id"]]
            defaults = [f for f in out if f["condition"] is None]
            if len(defaults) != 1 or len(out) < 2:
                raise ValueError(f"{process['key']}: gateway {node['id']} needs one default and a conditional flow")


# -- layout -------------------------------------------------------------------------------------


def _ranks(process: dict, flows: list[dict]) -> tuple[dict[str, int], set[str]]:
    """Longest-path column of every node and the ids of the flows that close a loop."""
    out: dict[str, list[dict]] = {n["id"]: [] for n in process["nodes"]}
    for flow in flows:
        out[flow["source"]].append(flow)
    back: set[str] = set()
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    order: list[str] = []
    for root in [n["id"] for n in process["nodes"] if n["type"] == "start"]:
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, edges = stack[-1]
            for flow in edges:
                target = flow["target"]
                if state.get(target) == 1:
                    back.add(flow["id"])
                elif target not in state:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    missing = [n["id"] for n in process["nodes"] if n["id"] not in state]
    if missing:
        raise ValueError(f"{process['key']}: unreachable nodes {', '.join(missing)}")
    rank = {node: 0 for node in order}
    for node in reversed(order):  # reverse post-order is a topological order of the forward flows
        for flow in out[node]:
            if flow["id"] not in back:
                rank[flow["target"]] = max(rank[flow["target"]], rank[node] + 1)
    return rank, back


def layout(process: dict, flows: list[dict]) -> dict:
    rank, back = _ranks(process, flows)
    slots: dict[tuple[str, int], int] = {}
    slot_of: dict[str, int] = {}
    for node in process["nodes"]:
        key = (node["lane"], rank[node["id"]])
        slot_of[node["id"]] = slots.get(key, 0)
        slots[key] = slot_of[node["id"]] + 1
    columns = max(rank.values()) + 1
    width = POOL_LABEL + LANE_LABEL + MARGIN + columns * COLUMN
    lanes, top = {}, 0
    for lane in process["lanes"]:
        rows = max([count for (name, _), count in slots.items() if name == lane] or [1])
        lanes[lane] = (top, rows * ROW)
        top += rows * ROW
    boxes = {}
    for node in process["nodes"]:
        w, h = SIZES[node["type"]]
        cx = POOL_LABEL + LANE_LABEL + MARGIN + rank[node["id"]] * COLUMN + 50
        cy = lanes[node["lane"]][0] + ROW // 2 + slot_of[node["id"]] * ROW
        boxes[node["id"]] = (cx - w // 2, cy - h // 2, w, h)
    edges = {}
    types = {n["id"]: n["type"] for n in process["nodes"]}
    for flow in flows:
        edges[flow["id"]] = _route(boxes, types, flow, flow["id"] in back)
    return {"width": width, "height": top, "lanes": lanes, "boxes": boxes, "edges": edges}


def _route(boxes: dict, types: dict, flow: dict, back: bool) -> list[tuple[int, int]]:
    """Orthogonal waypoints: the first candidate route that crosses no other node."""
    sx, sy, sw, sh = boxes[flow["source"]]
    tx, ty, tw, th = boxes[flow["target"]]
    scx, scy, tcx, tcy = sx + sw // 2, sy + sh // 2, tx + tw // 2, ty + th // 2
    if back:  # under both nodes, back to the left
        below = max(sy + sh, ty + th) + 22
        return [(scx, sy + sh), (scx, below), (tcx, below), (tcx, ty + th)]
    candidates = []
    if scy == tcy:
        candidates.append([(sx + sw, scy), (tx, tcy)])
        under = scy + ROW // 2 - 12  # pass under the row
        candidates.append([(scx, sy + sh), (scx, under), (tcx, under), (tcx, ty + th)])
    else:
        if types[flow["source"]] == "gateway":  # leave a gateway by its top or bottom corner
            candidates.append([(scx, sy + sh if tcy > scy else sy), (scx, tcy), (tx, tcy)])
        candidates.append([(sx + sw, scy), (tx - 25, scy), (tx - 25, tcy), (tx, tcy)])
        candidates.append([(sx + sw, scy), (sx + sw + 25, scy), (sx + sw + 25, tcy), (tx, tcy)])
    others = [box for node, box in boxes.items() if node not in (flow["source"], flow["target"])]
    for points in candidates:
        if not any(_crosses(box, a, b) for a, b in zip(points, points[1:]) for box in others):
            return points
    return candidates[0]


def _crosses(box: tuple, a: tuple, b: tuple) -> bool:
    """Whether the axis-parallel segment a–b passes through the box (with a small margin)."""
    x, y, w, h = box
    left, right = min(a[0], b[0]), max(a[0], b[0])
    top, bottom = min(a[1], b[1]), max(a[1], b[1])
    return left < x + w + 4 and right > x - 4 and top < y + h + 4 and bottom > y - 4


# -- XML ----------------------------------------------------------------------------------------


def _properties(parent, values: list[tuple[str, str]]) -> None:
    ext = etree.SubElement(parent, _q(BPMN, "extensionElements"))
    props = etree.SubElement(ext, _q(SPIFF, "properties"))
    for name, value in values:
        etree.SubElement(props, _q(SPIFF, "property"), name=name, value=value)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def task_properties(process: dict, node: dict, escalation: dict) -> list[tuple[str, str]]:
    values = [("name_en", node["name_en"]), ("time_limit", node["time_limit"])]
    if node.get("calendar"):
        values.append(("calendar", node["calendar"]))
    chain = node.get("escalate_to") or process.get("escalation", {}).get(node["lane"]) or escalation[node["lane"]]
    values.append(("escalate_to", chain))
    values.append(("form", _json(node.get("form", []))))
    if node.get("action"):
        values.append(("action", node["action"]))
    if node.get("spawn"):
        values.append(("spawn", node["spawn"]))
    return values


def render(process: dict, escalation: dict) -> bytes:
    key = process["key"]
    flows = _flows(process)
    _check(process, flows)
    geo = layout(process, flows)
    root = etree.Element(_q(BPMN, "definitions"), nsmap=NSMAP, id=f"Definitions_{key}",
                         targetNamespace="http://kams.local/bpmn", exporter="KAMS scripts/bpmn_gen.py",
                         exporterVersion="1")
    collaboration = etree.SubElement(root, _q(BPMN, "collaboration"), id=f"Collaboration_{key}")
    etree.SubElement(collaboration, _q(BPMN, "participant"), id=f"Participant_{key}", name=process["name"],
                     processRef=key)
    proc = etree.SubElement(root, _q(BPMN, "process"), id=key, name=process["name"], isExecutable="true")
    values = [("name_en", process["name_en"]), ("channel", process["channel"]), ("calendar", process["calendar"])]
    if process.get("resolution_limit"):
        values.append(("resolution_limit", process["resolution_limit"]))
    values.append(("start_form", _json(process.get("start_form", []))))
    values.append(("customer_required", "true" if process.get("customer_required", True) else "false"))
    _properties(proc, values)
    lane_set = etree.SubElement(proc, _q(BPMN, "laneSet"), id=f"LaneSet_{key}")
    for lane in process["lanes"]:
        element = etree.SubElement(lane_set, _q(BPMN, "lane"), id=f"Lane_{lane}", name=lane)
        for node in process["nodes"]:
            if node["lane"] == lane:
                etree.SubElement(element, _q(BPMN, "flowNodeRef")).text = node["id"]
    defaults = {f["source"]: f["id"] for f in flows if f["condition"] is None and _is_gateway(process, f["source"])}
    for node in process["nodes"]:
        attrs = {"id": node["id"]}
        if node.get("name"):
            attrs["name"] = node["name"]
        if node["type"] == "gateway":
            attrs["default"] = defaults[node["id"]]
        if node["type"] == "call":
            attrs["calledElement"] = node["called"]
        element = etree.SubElement(proc, _q(BPMN, TAGS[node["type"]]), **attrs)
        if node["type"] == "task":
            _properties(element, task_properties(process, node, escalation))
        for flow in flows:
            if flow["target"] == node["id"]:
                etree.SubElement(element, _q(BPMN, "incoming")).text = flow["id"]
        for flow in flows:
            if flow["source"] == node["id"]:
                etree.SubElement(element, _q(BPMN, "outgoing")).text = flow["id"]
    for flow in flows:
        attrs = {"id": flow["id"]}
        if flow["label"]:
            attrs["name"] = flow["label"]
        attrs.update(sourceRef=flow["source"], targetRef=flow["target"])
        element = etree.SubElement(proc, _q(BPMN, "sequenceFlow"), **attrs)
        if flow["condition"]:
            condition = etree.SubElement(element, _q(BPMN, "conditionExpression"))
            condition.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            condition.text = flow["condition"]
    _diagram(root, process, flows, geo)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _is_gateway(process: dict, node_id: str) -> bool:
    return any(n["id"] == node_id and n["type"] == "gateway" for n in process["nodes"])


def _bounds(parent, x, y, w, h) -> None:
    etree.SubElement(parent, _q(DC, "Bounds"), x=str(x), y=str(y), width=str(w), height=str(h))


def _diagram(root, process: dict, flows: list[dict], geo: dict) -> None:
    key = process["key"]
    diagram = etree.SubElement(root, _q(BPMNDI, "BPMNDiagram"), id=f"BPMNDiagram_{key}")
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id=f"BPMNPlane_{key}",
                             bpmnElement=f"Collaboration_{key}")
    shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"Participant_{key}_di",
                             bpmnElement=f"Participant_{key}", isHorizontal="true")
    _bounds(shape, 0, 0, geo["width"], geo["height"])
    for lane in process["lanes"]:
        top, height = geo["lanes"][lane]
        shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"Lane_{lane}_di", bpmnElement=f"Lane_{lane}",
                                 isHorizontal="true")
        _bounds(shape, POOL_LABEL, top, geo["width"] - POOL_LABEL, height)
    for node in process["nodes"]:
        x, y, w, h = geo["boxes"][node["id"]]
        attrs = {"id": f"{node['id']}_di", "bpmnElement": node["id"]}
        if node["type"] == "gateway":
            attrs["isMarkerVisible"] = "true"
        shape = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), **attrs)
        _bounds(shape, x, y, w, h)
        if node["type"] in ("gateway", "start", "end") and node.get("name"):
            label = etree.SubElement(shape, _q(BPMNDI, "BPMNLabel"))
            _bounds(label, x + w // 2 - 50, y + h + 4, 100, 27)
    for flow in flows:
        edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=f"{flow['id']}_di", bpmnElement=flow["id"])
        points = geo["edges"][flow["id"]]
        for x, y in points:
            etree.SubElement(edge, _q(DI, "waypoint"), x=str(x), y=str(y))
        if flow["label"]:
            (x0, y0), (x1, y1) = points[0], points[1]
            label = etree.SubElement(edge, _q(BPMNDI, "BPMNLabel"))
            if x0 == x1:  # vertical first segment: label beside it
                _bounds(label, x0 + 4, (y0 + y1) // 2 - 7, 14, 14)
            else:
                _bounds(label, x0 + 6, y0 - 18, 14, 14)


# -- documentation tables -----------------------------------------------------------------------


def _limit_text(node: dict) -> str:
    if node["type"] == "call":
        return f"{node.get('seed_limit') or '—'} → the called process's own limits"
    seed = node.get("seed_limit")
    return f"{seed} → `{node['time_limit']}`" if seed else f"— → `{node['time_limit']}` (designed)"


def _source(node: dict) -> str:
    seed = node.get("seed_limit")
    source = node.get("source", "")
    return f"{seed} — {source}" if seed and not source.startswith(seed) else source


def tables(specs) -> str:
    out = []
    for process in specs.PROCESSES:
        flows = _flows(process)
        rank, _back = _ranks(process, flows)
        lines = [
            f"### {process['name']} — `{process['key']}`",
            "",
            f"{process['name_en']}. Channel **{process['channel']}**, calendar `{process['calendar']}`"
            + (f", resolution limit `{process['resolution_limit']}`" if process.get("resolution_limit") else "")
            + ("" if process.get("customer_required", True) else ", no customer") + ".",
            "",
            "| step | role | time limit (seed → ISO) | calendar | escalation | source |",
            "|---|---|---|---|---|---|",
        ]
        for node in sorted(process["nodes"], key=lambda n: rank[n["id"]]):
            if node["type"] == "task":
                chain = task_properties(process, node, specs.ESCALATION)
                escalate = dict(chain)["escalate_to"]
                extra = f" (action `{node['action']}`" + (f" → `{node['spawn']}`" if node.get("spawn") else "") + ")" \
                    if node.get("action") else ""
                lines.append(
                    f"| {node['name']}{extra} | {node['lane']} | {_limit_text(node)} | "
                    f"{node.get('calendar') or process['calendar']} | {escalate.replace(',', ' → ')} | {_source(node)} |")
            elif node["type"] == "call":
                lines.append(f"| {node['name']} (call `{node['called']}`) | {node['lane']} | {_limit_text(node)} | "
                             f"— | — | {_source(node)} |")
        gateways = [(f, n) for n in process["nodes"] if n["type"] == "gateway" for f in flows
                    if f["source"] == n["id"] and f["condition"]]
        if gateways:
            lines += ["", "Decisions: " + "; ".join(f"{n['name']} `{f['condition']}`" for f, n in gateways) + "."]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# -- command line -------------------------------------------------------------------------------


def build() -> dict[Path, bytes]:
    specs = load_specs()
    return {PROCESS_DIR / f"{p['key']}.bpmn": render(p, specs.ESCALATION) for p in specs.PROCESSES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any file differs from the specs")
    parser.add_argument("--tables", action="store_true", help="print the docs/processes.md step tables")
    args = parser.parse_args(argv)
    if args.tables:
        sys.stdout.write(tables(load_specs()))
        return 0
    files = build()
    if args.check:
        problems = [f"stale or missing: {path.relative_to(ROOT)}" for path, data in files.items()
                    if not path.exists() or path.read_bytes() != data]
        problems += [f"not in specs.py: {path.relative_to(ROOT)}" for path in sorted(PROCESS_DIR.glob("*.bpmn"))
                     if path not in files]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: python scripts/bpmn_gen.py", file=sys.stderr)
        return 1 if problems else 0
    for path, data in files.items():
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
